//! The offline package of a circuit: every part a phone needs to guide a walker with no
//! network, listed with its URL, size and SHA-256, under a version that changes when any
//! part changes. A phone holding a version sends it back to learn whether anything
//! changed, and compares part hashes to fetch only what did.
//!
//! Each data part is rendered exactly as its own endpoint answers it (the sheet, the
//! profile, the guidance input, the species, each POI along, each landscape unit
//! crossed), the media in phone size and the basemap tiles around the trace. A package
//! is built once per (circuit, language) while the revisions stand, by one request
//! whatever the number asking at once; its zip is made once too.

use crate::along::along;
use crate::basemap::{Basemap, Kind, covering, media_type};
use crate::cache::RevisionCache;
use crate::guide::guide_of;
use crate::lang::LANGUAGES;
use crate::sheet::{profile_of, sheet_with};
use crate::views::landscape::feature_of as landscape_feature;
use crate::views::media::{file_url, phone_file};
use crate::views::poi::feature_of;
use crate::views::species;
use crate::{App, AppError, AppResult, to_json};
use balade_core::hash;
use balade_core::{Circuit, Media, MediaOwner, PoiId};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, OnceLock};
use utoipa::ToSchema;

/// One part of a package.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Part {
    /// `sheet`, `profile`, `guide`, `species`, `poi`, `landscape`, `tile` or `media`.
    pub kind: &'static str,
    /// Same-origin URL of the part.
    pub url: String,
    /// Size of the uncompressed body.
    pub bytes: u64,
    /// SHA-256 of the body, 64 hex digits: what the phone checks the part against.
    pub hash: String,
    /// The record's id, for a part of one POI, landscape unit or media item.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub id: Option<String>,
}

/// The manifest of a circuit's offline package.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Manifest {
    pub circuit: String,
    pub name: String,
    /// Changes when any part changes.
    pub version: String,
    pub lang: String,
    pub total_bytes: u64,
    pub parts: Vec<Part>,
    /// The basemap's zoom range when one is configured; `null` when none is.
    #[schema(value_type = Option<Object>, required = true)]
    pub basemap: Option<serde_json::Value>,
}

/// A built package: its manifest and the bodies of its parts, by URL.
#[derive(Debug)]
pub struct Package {
    pub manifest: Manifest,
    pub bodies: Vec<(String, Vec<u8>)>,
    zip: OnceLock<Arc<[u8]>>,
}

impl Package {
    /// The whole package as one zip archive, made at the first asking.
    pub fn zip(&self) -> AppResult<Arc<[u8]>> {
        if let Some(z) = self.zip.get() {
            return Ok(z.clone());
        }
        let made: Arc<[u8]> = zip_of(self)?.into();
        Ok(self.zip.get_or_init(|| made).clone())
    }
}

/// Bytes of packages kept in memory at most: each may hold megabytes of tiles.
pub const CACHED_PACKAGES: usize = 256 << 20;

impl crate::cache::Weigh for Arc<Package> {
    /// Its bodies, and as much again for the zip it may be asked for.
    fn bytes(&self) -> usize {
        self.bodies
            .iter()
            .map(|(url, b)| url.len() + b.len())
            .sum::<usize>()
            * 2
    }
}

/// Tiles are listed within this distance of the trace.
pub const TILE_BUFFER_M: f64 = 500.0;

/// Tiles fetched at once while building a package (they may come from upstream).
const TILE_FETCHES: usize = 16;

/// The URL template of tiles, as clients use it.
pub const TILE_TEMPLATE: &str = "/tiles/{z}/{x}/{y}";

type Key = (String, String);

/// Packages already built, by (circuit id, language), and the builds under way.
#[derive(Debug)]
pub struct PackageCache {
    built: RevisionCache<Key, Arc<Package>>,
    building: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl PackageCache {
    pub fn new(cap: usize) -> Self {
        Self {
            built: RevisionCache::new(cap),
            building: Mutex::default(),
        }
    }

    pub fn clear(&self) {
        self.built.clear();
    }

    /// The lock one build of `key` holds; the others wait on it, then find the package.
    fn build_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.building.lock().unwrap_or_else(|p| p.into_inner());
        // Locks nobody holds nor waits for are forgotten.
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(key.clone()).or_default().clone()
    }
}

impl App {
    /// The offline package of circuit `id` in `lang`.
    pub async fn package(&self, id: &str, lang: &str) -> AppResult<Arc<Package>> {
        if !LANGUAGES.contains(&lang) {
            return Err(AppError::Invalid(format!(
                "`lang`: `{lang}` (expected one of: {})",
                LANGUAGES.join(", ")
            )));
        }
        let (_, revisions) = self.fresh_for(id).await?;
        let key = (id.to_owned(), lang.to_owned());
        if let Some(cached) = self.packages.built.get(&key, revisions) {
            return Ok(cached);
        }
        // Unknown and malformed ids never take a build slot.
        let circuit = self.circuit(id).await?;
        let lock = self.packages.build_lock(&key);
        let _building = lock.lock().await;
        let (catalog, revisions) = self.fresh_for(id).await?;
        if let Some(cached) = self.packages.built.get(&key, revisions) {
            return Ok(cached);
        }
        let package = Arc::new(self.build_package(&catalog, circuit, lang).await?);
        self.packages.built.put(key, revisions, package.clone());
        Ok(package)
    }

    async fn build_package(
        &self,
        catalog: &crate::catalog::Catalog,
        circuit: Circuit,
        lang: &str,
    ) -> AppResult<Package> {
        let store = self.store.as_ref();
        let pois = along(store, catalog, &circuit, &self.settings.corridors).await?;
        let species =
            crate::lookup::species_seen(store, &balade_core::species::cells_along(&circuit.trace))
                .await?;
        let guide = guide_of(catalog, &circuit, &pois, lang);
        let crossed = catalog.landscapes_crossed(&circuit.trace);
        let base = format!("/api/v1/circuits/{}", circuit.id);
        let mut package = Building::default();
        package.add(
            "profile",
            format!("{base}/profile"),
            to_json(&profile_of(&circuit.trace))?,
            None,
        );
        // Translated parts name their language: the URL answers exactly the body hashed.
        package.add(
            "guide",
            format!("{base}/guide?lang={lang}"),
            to_json(&guide)?,
            None,
        );
        package.add(
            "species",
            format!("{base}/species"),
            to_json(&species::list(&species, species::MAX_LIMIT))?,
            None,
        );
        // The POIs' media in one read, whatever their number.
        let ids: Vec<PoiId> = pois.iter().map(|p| p.poi.id.clone()).collect();
        let mut media_by_poi: HashMap<PoiId, Vec<Media>> = HashMap::new();
        for m in store.media_of_pois(&ids).await? {
            if let MediaOwner::Poi(owner) = &m.owner {
                media_by_poi.entry(owner.clone()).or_default().push(m);
            }
        }
        let mut media_items = Vec::new();
        for p in &pois {
            let id = &p.poi.id;
            let poi_media = media_by_poi.remove(id).unwrap_or_default();
            let body = to_json(&feature_of(p.poi.clone().in_language(lang), &poi_media))?;
            media_items.extend(poi_media);
            package.add(
                "poi",
                format!("/api/v1/pois/{id}?lang={lang}"),
                body,
                Some(id.to_string()),
            );
        }
        for unit in &crossed {
            let body = to_json(&landscape_feature(unit))?;
            package.add(
                "landscape",
                format!("/api/v1/landscapes/{}", unit.id),
                body,
                Some(unit.id.to_string()),
            );
        }
        let circuit_media = store
            .media_of(&MediaOwner::Circuit(circuit.id.clone()))
            .await?;
        let (name, circuit_id, trace) = (
            circuit.name.clone(),
            circuit.id.to_string(),
            circuit.trace.clone(),
        );
        let sheet = to_json(&sheet_with(
            catalog,
            circuit,
            &pois,
            &species,
            &circuit_media,
            lang,
        )?)?;
        let sheet_url = format!("{base}?lang={lang}");
        package
            .parts
            .insert(0, part("sheet", sheet_url.clone(), &sheet, None));
        package.bodies.insert(0, (sheet_url, sheet));
        // Photos in phone size, each once even when several owners share it.
        let mut media_seen = HashSet::new();
        for m in circuit_media.iter().chain(&media_items) {
            let Some((width, _)) = phone_file(m) else {
                continue;
            };
            let url = file_url(&m.id, width);
            if !media_seen.insert(url.clone()) {
                continue;
            }
            // A photo removed since is left out, like a removed POI.
            let Some(body) = store.media_file(&m.id, width).await? else {
                continue;
            };
            package.add("media", url, body, Some(m.id.clone()));
        }
        let basemap = match self.basemap.as_ref() {
            Some(b) => {
                Some(add_tiles(b, &self.settings.offline_zooms, &trace, &mut package).await?)
            }
            None => None,
        };
        let mut version = hash::Fnv::new();
        for p in &package.parts {
            version.field(&p.url);
            version.field(&p.hash);
        }
        let manifest = Manifest {
            circuit: circuit_id,
            name,
            version: format!("{:016x}", version.finish()),
            lang: lang.to_owned(),
            total_bytes: package.parts.iter().map(|p| p.bytes).sum(),
            parts: package.parts,
            basemap,
        };
        Ok(Package {
            manifest,
            bodies: package.bodies,
            zip: OnceLock::new(),
        })
    }
}

/// Parts and bodies gathered while building.
#[derive(Default)]
struct Building {
    parts: Vec<Part>,
    bodies: Vec<(String, Vec<u8>)>,
}

impl Building {
    fn add(&mut self, kind: &'static str, url: String, body: Vec<u8>, id: Option<String>) {
        self.parts.push(part(kind, url.clone(), &body, id));
        self.bodies.push((url, body));
    }
}

fn part(kind: &'static str, url: String, body: &[u8], id: Option<String>) -> Part {
    Part {
        kind,
        url,
        bytes: body.len() as u64,
        hash: hash::sha256_hex(body),
        id,
    }
}

/// Adds the basemap tiles covering the trace at the offline zooms the basemap has;
/// returns the manifest's `basemap` entry. A tile the basemap lacks is left out; a
/// basemap that cannot answer fails the package (a phone would get holes in its map).
async fn add_tiles(
    basemap: &Arc<Basemap>,
    zooms: &RangeInclusive<u8>,
    trace: &balade_core::Trace,
    package: &mut Building,
) -> AppResult<serde_json::Value> {
    // The maps draw vector tiles at 512 px, one zoom below the map's, and open a sheet
    // a little further out than the offline zooms: vector packages reach two zooms
    // lower and stop one earlier (deeper, the last tiles are drawn larger).
    let (start, end) = match basemap.kind {
        Kind::Raster => (*zooms.start(), *zooms.end()),
        Kind::Vector => (
            zooms.start().saturating_sub(2),
            zooms.end().saturating_sub(1),
        ),
    };
    let (low, high) = (start.max(basemap.min_zoom), end.min(basemap.max_zoom));
    // A provider whose terms forbid prefetching draws online maps only.
    let wanted = if basemap.prefetch && low <= high {
        covering(trace, TILE_BUFFER_M, low..=high)
    } else {
        Vec::new()
    };
    for chunk in wanted.chunks(TILE_FETCHES) {
        let mut fetches = tokio::task::JoinSet::new();
        for &(z, x, y) in chunk {
            let basemap = basemap.clone();
            fetches.spawn(async move { ((z, x, y), basemap.tile(z, x, y).await) });
        }
        let mut got = fetches.join_all().await;
        got.sort_by_key(|(coords, _)| *coords);
        for ((z, x, y), tile) in got {
            let tile = tile.map_err(|e| {
                tracing::warn!(error = %e, "basemap unavailable while packaging");
                AppError::Unavailable
            })?;
            if let Some(bytes) = tile {
                package.add("tile", format!("/tiles/{z}/{x}/{y}"), bytes, None);
            }
        }
    }
    Ok(serde_json::json!({
        "tiles": TILE_TEMPLATE, "kind": basemap.kind, "name": basemap.name,
        "min_zoom": low, "max_zoom": high, "attribution": basemap.attribution,
        "terms": basemap.terms, "prefetch": basemap.prefetch,
    }))
}

/// `manifest.json` at the root, then each part at its URL's path: data with `.json`
/// added, tiles with their image type's extension.
fn zip_of(package: &Package) -> AppResult<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| AppError::Encode(format!("zip: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let manifest = to_json(&package.manifest)?;
    for (name, body) in std::iter::once(("manifest.json".to_owned(), &manifest)).chain(
        package
            .bodies
            .iter()
            .map(|(url, body)| (zip_name(url, body), body)),
    ) {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(body).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

fn zip_name(url: &str, body: &[u8]) -> String {
    let path = url.trim_start_matches('/');
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    if path.starts_with("media/") {
        return path.to_owned();
    }
    if !path.starts_with("tiles/") {
        return format!("{path}.json");
    }
    match media_type(body) {
        "image/png" => format!("{path}.png"),
        "image/jpeg" => format!("{path}.jpg"),
        "image/webp" => format!("{path}.webp"),
        // What is not an image is a vector tile: raster sources serve images only.
        _ => format!("{path}.mvt"),
    }
}
