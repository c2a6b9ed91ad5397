//! What streaming readers share: a reader walks its file once and hands each record (or
//! each located rejection) to a [`Sink`] as soon as it is read, so memory stays bounded
//! whatever the file's size. The driver behind the sink decides what a rejection means
//! (stop and refuse the file, or carry on in partial mode).

use crate::report::Rejection;

/// Where a streaming reader sends what it reads. Both methods return `false` when the
/// reader must stop early (the file is already refused, or the writer failed); a reader
/// then returns `Ok(())` at once.
pub trait Sink<T> {
    /// A good record.
    fn record(&mut self, record: T) -> bool;
    /// A bad record, located as precisely as the source allows (line or record number,
    /// field, reason).
    fn reject(&mut self, rejection: Rejection) -> bool;
}

/// Collects everything in memory: for tests and small files.
#[derive(Debug)]
pub struct Collect<T> {
    pub records: Vec<T>,
    pub rejections: Vec<Rejection>,
}

impl<T> Default for Collect<T> {
    fn default() -> Self {
        Self {
            records: Vec::new(),
            rejections: Vec::new(),
        }
    }
}

impl<T> Sink<T> for Collect<T> {
    fn record(&mut self, record: T) -> bool {
        self.records.push(record);
        true
    }
    fn reject(&mut self, rejection: Rejection) -> bool {
        self.rejections.push(rejection);
        true
    }
}
