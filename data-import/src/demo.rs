//! The demo set in `fixtures/`: communes, the GPX circuits, then landscape units,
//! observations with their sensitivity list, tourism places when present, and the
//! circuits' photos listed in `media/photos.json` (pictures made for the project, CC0).

use crate::driver::{ImportOptions, import};
use crate::media::{AttachError, Credits, MediaSource, attach};
use crate::plan::Quiet;
use crate::report::ImportReport;
use crate::report::Rejection;
use crate::source::Source;
use balade_core::store::{Store, StoreError};
use balade_core::{CircuitId, MediaOwner};
use serde_json::Value;
use std::path::Path;

/// Who made the demo's pictures, and under which licence (see `fixtures/media/README.md`).
const DEMO_AUTHOR: &str = "Balade (image de synthèse)";
const DEMO_LICENSE: &str = "CC0-1.0";

/// Loads the demo set in `fixtures`, printing nothing; the report covers it all.
pub async fn import_demo(store: &dyn Store, fixtures: &Path) -> Result<ImportReport, StoreError> {
    let options = ImportOptions::default();
    let mut report = ImportReport::default();
    let species = fixtures.join("biodiversity");
    let list = species.join("sensitive-taxa.csv");
    let steps = [
        (Source::Communes, fixtures.join("communes")),
        (Source::Gpx, fixtures.join("circuits")),
        (Source::Landscapes, fixtures.join("landscapes")),
        (
            Source::Biodiversity {
                sensitive: list.is_file().then_some(list),
            },
            species.join("observations.csv"),
        ),
        (Source::Tourism, fixtures.join("tourism")),
    ];
    for (source, path) in steps {
        // The circuits are the demo; the rest is there when the set has it.
        if !path.exists() && !matches!(source, Source::Gpx) {
            continue;
        }
        report.absorb(import(store, &source, &[path], &options, &mut Quiet).await?);
    }
    attach_photos(store, &fixtures.join("media"), &mut report).await?;
    Ok(report)
}

/// Attaches the photos `dir/photos.json` lists (`circuit`, `file`, `title`, `alt`); a
/// photo that cannot be attached is a warning, as for the importers' photos.
async fn attach_photos(
    store: &dyn Store,
    dir: &Path,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let list = dir.join("photos.json");
    let Ok(bytes) = std::fs::read(&list) else {
        return Ok(());
    };
    let warn = |report: &mut ImportReport, field: Option<String>, reason: String| {
        report.warnings.push(Rejection {
            path: list.clone(),
            position: None,
            field,
            reason,
        });
    };
    let entries = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(entries)) => entries,
        _ => {
            warn(report, None, "not a JSON list of photos".into());
            return Ok(());
        }
    };
    for (i, entry) in entries.iter().enumerate() {
        let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
        let field = Some(format!("photo {}", i + 1));
        let (Some(circuit), Some(file)) = (text("circuit"), text("file")) else {
            warn(report, field, "needs `circuit` and `file`".into());
            continue;
        };
        let Ok(id) = CircuitId::new(circuit) else {
            warn(report, field, "`circuit` is not a circuit id".into());
            continue;
        };
        let credits = Credits {
            title: text("title"),
            author: Some(DEMO_AUTHOR.into()),
            license: Some(DEMO_LICENSE.into()),
            alt: text("alt"),
        };
        // A bare file name: the list cannot point outside its folder.
        if file.contains(['/', '\\']) || file.starts_with('.') {
            warn(report, field, format!("`{file}` is not a file name"));
            continue;
        }
        let source = MediaSource::Photo(dir.join(&file));
        match attach(store, MediaOwner::Circuit(id), &source, credits).await {
            Ok(_) => report.photos.attached += 1,
            Err(AttachError::Store(StoreError::Conflict(reason))) => warn(report, field, reason),
            Err(AttachError::Store(e)) => return Err(e),
            Err(e) => warn(report, field, e.to_string()),
        }
    }
    Ok(())
}
