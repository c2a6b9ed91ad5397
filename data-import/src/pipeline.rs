//! Streams one file into the store: the reader runs on a blocking thread and hands
//! batches through a bounded channel to the writer, which upserts them inside one
//! transaction. Memory holds a few batches whatever the file's size, and reading and
//! writing overlap.
//!
//! All or nothing per file: without `--partial`, the first rejection stops the writing
//! (the reader goes on, so that every fault is reported at once) and the transaction is
//! dropped. A key met twice in one file is a rejection.

use crate::report::{ImportReport, Rejection};
use crate::stream::Sink;
use balade_core::hash::Fnv;
use balade_core::store::{ImportTx, Store, StoreError};
use indicatif::ProgressBar;
use std::collections::HashSet;
use std::path::Path;
use tokio::sync::mpsc;

/// Records per batch: large enough for bulk statements, small enough to bound memory.
pub const BATCH: usize = 2_000;
/// Batches in flight between the reader and the writer.
const IN_FLIGHT: usize = 4;

/// A record that a streamed import writes.
pub trait Streamed: Send + 'static {
    /// The key the store upserts on; twice in one file is a rejection.
    fn key(&self) -> &str;
    /// Where the record is in its file, for the duplicate-key rejection.
    fn place(&self) -> String;
    /// Counted apart in the file's line (e.g. notices without location).
    fn noted(&self) -> bool {
        false
    }
    /// Runs in the file's transaction after its last batch, before the commit.
    fn finish(tx: &mut dyn ImportTx) -> impl Future<Output = Result<(), StoreError>> + Send
    where
        Self: Sized,
    {
        let _ = tx;
        async { Ok(()) }
    }
    /// Writes a batch; returns (inserted, updated).
    fn write(
        tx: &mut dyn ImportTx,
        batch: Vec<Self>,
    ) -> impl Future<Output = Result<(u64, u64), StoreError>> + Send
    where
        Self: Sized;
}

enum Message<T> {
    Records(Vec<T>),
    Reject(Rejection),
}

/// The reader's end: batches records, forwards rejections at once.
struct ChannelSink<T> {
    tx: mpsc::Sender<Message<T>>,
    batch: Vec<T>,
}

impl<T> ChannelSink<T> {
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.blocking_send(Message::Records(batch)).is_ok()
    }
}

impl<T> Sink<T> for ChannelSink<T> {
    fn record(&mut self, record: T) -> bool {
        self.batch.push(record);
        self.batch.len() < BATCH || self.flush()
    }
    fn reject(&mut self, rejection: Rejection) -> bool {
        self.tx.blocking_send(Message::Reject(rejection)).is_ok()
    }
}

/// What a streamed file gave.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FileCounts {
    pub records: u64,
    pub noted: u64,
}

/// Imports the file at `path` read by `read`; the file's rejections go to `report`.
/// Returns `None` when the file was refused (nothing written), else its counts.
pub async fn import_file<T: Streamed>(
    store: &dyn Store,
    path: &Path,
    partial: bool,
    report: &mut ImportReport,
    progress: Option<&ProgressBar>,
    read: impl FnOnce(&mut dyn Sink<T>) -> Result<(), Rejection> + Send + 'static,
) -> Result<Option<FileCounts>, StoreError> {
    let (sender, mut receiver) = mpsc::channel::<Message<T>>(IN_FLIGHT);
    let reader = tokio::task::spawn_blocking(move || {
        let mut sink = ChannelSink {
            tx: sender,
            batch: Vec::with_capacity(BATCH),
        };
        let result = read(&mut sink);
        sink.flush();
        result
    });
    let mut tx = store.begin_import().await?;
    let mut rejections = Vec::new();
    let mut seen: HashSet<u64> = HashSet::new();
    let (mut inserted, mut updated) = (0, 0);
    let mut counts = FileCounts::default();
    let mut failure = None;
    let mut conflict = false;
    while let Some(message) = receiver.recv().await {
        let batch = match message {
            Message::Reject(r) => {
                rejections.push(r);
                continue;
            }
            Message::Records(batch) => batch,
        };
        let mut keep = Vec::with_capacity(batch.len());
        for r in batch {
            let mut h = Fnv::new();
            h.field(r.key());
            if seen.insert(h.finish()) {
                counts.records += 1;
                counts.noted += u64::from(r.noted());
                keep.push(r);
            } else {
                rejections.push(Rejection {
                    path: path.to_owned(),
                    position: None,
                    field: Some(r.place()),
                    reason: format!("`{}` given twice in the file", r.key()),
                });
            }
        }
        if failure.is_some() || conflict || (!partial && !rejections.is_empty()) {
            continue; // the file is refused: read on for its faults, write nothing
        }
        match T::write(tx.as_mut(), keep).await {
            Ok((i, u)) => {
                inserted += i;
                updated += u;
            }
            // An id owned by another source: the file is refused even in partial mode
            // (the batch it was in is not written).
            Err(StoreError::Conflict(reason)) => {
                rejections.push(Rejection::file(path, reason));
                conflict = true;
            }
            Err(e) => failure = Some(e),
        }
        if let Some(bar) = progress {
            bar.set_message(format!("{}: {} records", path.display(), counts.records));
        }
    }
    let read = reader
        .await
        .unwrap_or_else(|e| Err(Rejection::file(path, format!("reader failed: {e}"))));
    if let Some(e) = failure {
        return Err(e);
    }
    if let Err(r) = read {
        rejections.push(r);
        report.rejections.extend(rejections);
        report.files_refused += 1;
        return Ok(None);
    }
    let refused = conflict || (!partial && !rejections.is_empty());
    report.rejections.extend(rejections);
    if refused {
        report.files_refused += 1;
        return Ok(None);
    }
    T::finish(tx.as_mut()).await?;
    tx.commit().await?;
    report.imported += inserted;
    report.updated += updated;
    report.files_written += 1;
    Ok(Some(counts))
}
