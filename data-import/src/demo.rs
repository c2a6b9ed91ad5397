//! The demo set in `fixtures/`: communes, the GPX circuits, then landscape units,
//! observations with their sensitivity list, and tourism places when present.

use crate::driver::{ImportOptions, import};
use crate::plan::Quiet;
use crate::report::ImportReport;
use crate::source::Source;
use balade_core::store::{Store, StoreError};
use std::path::Path;

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
    Ok(report)
}
