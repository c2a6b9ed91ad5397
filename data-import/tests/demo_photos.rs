//! The demo's photos: one per circuit, made for the project (CC0), attached with their
//! alt text and credits, small enough to be built into the binary.

use balade_core::MediaOwner;
use balade_import::import_demo;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

#[test]
fn demo_files_are_small_and_listed() {
    let dir = fixtures().join("media");
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("photos.json")).unwrap()).unwrap();
    let list = list.as_array().unwrap();
    assert!((3..=7).contains(&list.len()), "{list:?}");
    for entry in list {
        let file = dir.join(entry["file"].as_str().unwrap());
        let size = std::fs::metadata(&file).unwrap().len();
        assert!(size <= 60 * 1024, "{}: {size} bytes", file.display());
        assert!(
            entry["alt"].as_str().is_some_and(|a| a.len() > 20),
            "{entry}"
        );
    }
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("made for the project") && readme.contains("CC0"));
}

#[tokio::test]
async fn every_demo_circuit_gets_its_photo() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let store = balade_core::store::open(&url).await.unwrap();
    let report = import_demo(store.as_ref(), &fixtures()).await.unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.photos.attached, 7);
    for circuit in store.all_circuits().await.unwrap() {
        let media = store
            .media_of(&MediaOwner::Circuit(circuit.id.clone()))
            .await
            .unwrap();
        assert_eq!(media.len(), 1, "{}", circuit.id);
        let photo = &media[0];
        assert_eq!(photo.license.as_deref(), Some("CC0-1.0"));
        assert_eq!(photo.author.as_deref(), Some("Balade (image de synthèse)"));
        assert!(photo.alt.is_some() && photo.title.is_some());
        let widths: Vec<u32> = photo.files.iter().map(|(w, _)| *w).collect();
        assert_eq!(widths, [320, 800, 960], "{}", circuit.id);
    }
    // Loading the demo again attaches the same photos, not copies.
    import_demo(store.as_ref(), &fixtures()).await.unwrap();
    assert_eq!(store.all_media().await.unwrap().len(), 7);
}
