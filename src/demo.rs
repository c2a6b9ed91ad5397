//! The demo data (`fixtures/` without the guidance vectors), built into the binary so
//! that `balade serve --demo` works from a binary copied anywhere; `--fixtures DIR`
//! reads a folder instead.

use balade_core::store::Store;
use balade_import::import_demo;
use std::path::Path;

#[derive(rust_embed::Embed)]
#[folder = "fixtures"]
#[include = "circuits/*"]
#[include = "communes/*"]
#[include = "landscapes/*"]
#[include = "biodiversity/*"]
#[include = "tourism/*"]
#[include = "media/*"]
struct Fixtures;

/// Loads the demo into `store` when it holds no circuit nor POI yet: from `folder` when
/// given, else from the data built into the binary.
pub async fn load(store: &dyn Store, folder: Option<&Path>) -> Result<(), String> {
    let counts = store.counts().await.map_err(|e| e.to_string())?;
    if counts.circuits > 0 || counts.pois > 0 {
        tracing::info!(
            circuits = counts.circuits,
            "database not empty: demo data not loaded"
        );
        return Ok(());
    }
    // The built-in data is written to a folder of its own for the importers.
    let unpacked;
    let folder = match folder {
        Some(f) => f,
        None => {
            unpacked = tempfile::tempdir().map_err(|e| format!("cannot unpack the demo: {e}"))?;
            for name in Fixtures::iter() {
                let file = Fixtures::get(&name).ok_or("the demo data is incomplete")?;
                let path = unpacked.path().join(name.as_ref());
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot unpack the demo: {e}"))?;
                }
                std::fs::write(&path, &file.data)
                    .map_err(|e| format!("cannot unpack the demo: {e}"))?;
            }
            unpacked.path()
        }
    };
    if !folder.join("circuits").is_dir() {
        return Err(format!("demo data not found in {}", folder.display()));
    }
    let report = import_demo(store, folder)
        .await
        .map_err(|e| e.to_string())?;
    if report.rejected() > 0 {
        let detail: Vec<String> = report.rejections.iter().map(ToString::to_string).collect();
        return Err(format!("demo data rejected:\n{}", detail.join("\n")));
    }
    for w in &report.warnings {
        tracing::warn!("demo data: {w}");
    }
    tracing::info!(
        records = report.imported,
        photos = report.photos.attached,
        "demo data loaded"
    );
    Ok(())
}
