//! What the JSON importers share: the document read with a located error, and its
//! features read one record each, all or nothing unless partial.

use crate::report::Rejection;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// A field at fault in a feature, and why.
pub type Fault = (&'static str, String);

/// The records read from a file, and the features dropped (partial mode only).
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub dropped: Vec<Rejection>,
}

/// The JSON document of a file (a UTF-8 byte-order mark allowed), or where it breaks.
pub fn read_json(path: &Path, bytes: &[u8]) -> Result<Value, Vec<Rejection>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        vec![Rejection {
            path: path.to_owned(),
            position: (e.line() > 0).then(|| (e.line() as u64, e.column() as u64)),
            field: None,
            reason: format!("not valid JSON: {e}"),
        }]
    })
}

/// Reads each feature with `read`, numbering faults from 1; a `key` given twice is a
/// fault on `key_field`. Without `partial`, any fault refuses the file.
pub fn read_features<'a, T>(
    path: &Path,
    features: impl IntoIterator<Item = &'a Value>,
    partial: bool,
    read: impl Fn(&Value) -> Result<T, Fault>,
    key: impl Fn(&T) -> String,
    key_field: &'static str,
) -> Result<Parsed<T>, Vec<Rejection>> {
    let (mut records, mut bad) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for (i, feature) in features.into_iter().enumerate() {
        let reject = |field: &str, reason: String| Rejection {
            path: path.to_owned(),
            position: None,
            field: Some(format!("feature {}: {field}", i + 1)),
            reason,
        };
        match read(feature) {
            Ok(r) if !seen.insert(key(&r)) => {
                bad.push(reject(key_field, format!("`{}` given twice", key(&r))))
            }
            Ok(r) => records.push(r),
            Err((field, reason)) => bad.push(reject(field, reason)),
        }
    }
    if !bad.is_empty() && !partial {
        return Err(bad);
    }
    Ok(Parsed {
        records,
        dropped: bad,
    })
}
