//! The offline package of a circuit: every part a phone needs to guide a walker with no
//! network, listed with its URL, size and hash, under a version that changes when any
//! part changes. A phone holding a version sends it back (`If-None-Match`) to learn
//! whether anything changed, and compares part hashes to fetch only what did.

use crate::cache::RevisionCache;
use crate::catalog::SharedCatalog;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::query::Params;
use crate::routes::circuits::{load, pois_of_sheet, profile_of, sheet_of};
use crate::routes::landscapes::feature_of as landscape_feature;
use crate::routes::media::{file_url, phone_file};
use crate::routes::pois::feature_of;
use crate::routes::species::{self as species_route, list as species_list};
use crate::routes::tiles::TILE_TEMPLATE;
use crate::state::AppState;
use crate::tiles::{Basemap, covering, media_type};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_core::hash;
use balade_core::index::Hit;
use balade_core::{Circuit, Landscape, Media, MediaOwner, Poi, PoiId, PoiPoint};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::ops::RangeInclusive;
use std::sync::Arc;
use utoipa::ToSchema;

/// POIs within this distance of the trace travel with the circuit: the largest default
/// trigger radius (150 m) and some margin.
pub const OFFLINE_CORRIDOR_M: f64 = 200.0;

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
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[schema(value_type = Option<Object>)]
    pub basemap: Option<serde_json::Value>,
}

/// A POI as guidance needs it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuidePoiData {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// The POI's own trigger radius; `null` means its kind's default.
    pub trigger_radius_m: Option<f64>,
}

/// A landscape unit's outer ring, as the guidance rules take it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuideLandscape {
    pub id: String,
    pub name: String,
    /// `[[lon, lat], …]`.
    pub polygon: Vec<[f64; 2]>,
}

/// Everything the guidance rules need for one circuit: the input of `createGuide()` in
/// the web app and of `Guide::new` on the server.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuideData {
    pub circuit: String,
    /// `[[[lon, lat], …], …]`, one array per segment.
    pub segments: Vec<Vec<[f64; 2]>>,
    pub pois: Vec<GuidePoiData>,
    /// The units the trace crosses, one entry per outer ring (a unit in several
    /// polygons repeats its id; the rules announce it once).
    pub landscapes: Vec<GuideLandscape>,
    /// Overrides of the rules' thresholds (none: the defaults).
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    pub length_m: f64,
    pub duration_min: u32,
}

pub fn guide_of(
    circuit: &Circuit,
    pois: &[Hit<'_, PoiPoint>],
    landscapes: &[&Landscape],
) -> GuideData {
    GuideData {
        circuit: circuit.id.to_string(),
        segments: circuit
            .trace
            .segments
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.iter().map(|p| [p.pos.lon(), p.pos.lat()]).collect())
            .collect(),
        pois: pois
            .iter()
            .map(|h| GuidePoiData {
                id: h.item.id.to_string(),
                kind: h.item.kind.to_string(),
                name: h.item.name.clone(),
                lon: h.item.pos.lon(),
                lat: h.item.pos.lat(),
                trigger_radius_m: None,
            })
            .collect(),
        landscapes: landscapes
            .iter()
            .flat_map(|l| {
                l.polygons
                    .iter()
                    .filter_map(|rings| rings.first())
                    .map(|outer| GuideLandscape {
                        id: l.id.to_string(),
                        name: l.name.clone(),
                        polygon: outer.iter().map(|p| [p.lon(), p.lat()]).collect(),
                    })
            })
            .collect(),
        config: serde_json::json!({}),
        length_m: circuit.stats.length_m.round(),
        duration_min: circuit.duration_min,
    }
}

/// A built package: its manifest and the bodies of its data parts, by URL.
#[derive(Debug)]
pub struct Package {
    pub manifest: Manifest,
    pub bodies: Vec<(String, Vec<u8>)>,
}

/// Packages already built, by (circuit id, language), valid while the catalogue's
/// revision has not moved.
pub type PackageCache = RevisionCache<(String, String), Arc<Package>>;

fn to_json<T: Serialize>(value: &T) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ApiError::Encode(e.to_string()))
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

/// Builds the package of circuit `id`: each data part rendered exactly as its own
/// endpoint answers it, so that sizes and hashes match what the phone fetches.
pub async fn build(state: &AppState, id: &str, lang: &str) -> ApiResult<Arc<Package>> {
    let catalog = state.catalog.current();
    let key = (id.to_owned(), lang.to_owned());
    if let Some(cached) = state.packages.get(&key, catalog.revision) {
        return Ok(cached);
    }
    let store = state.store.as_ref();
    let circuit = load(store, id).await?;
    let own = pois_of_sheet(state, &catalog, &circuit).await?;
    let hits = catalog.index.pois_along(&circuit.trace, OFFLINE_CORRIDOR_M);
    let crossed = catalog.landscapes_crossed(&circuit.trace);
    let species = catalog.species.along(&circuit.trace);
    let media = store
        .media_of(&MediaOwner::Circuit(circuit.id.clone()))
        .await?;
    let base = format!("/api/v1/circuits/{}", circuit.id);
    let mut bodies = vec![
        (
            base.clone(),
            to_json(&sheet_of(
                circuit.clone(),
                own,
                &crossed,
                &species,
                &media,
                lang,
            )?)?,
        ),
        (
            format!("{base}/profile"),
            to_json(&profile_of(&circuit.trace))?,
        ),
        (
            format!("{base}/guide"),
            to_json(&guide_of(&circuit, &hits, &crossed))?,
        ),
        (
            format!("{base}/species"),
            to_json(&species_list(&species, species_route::MAX_LIMIT))?,
        ),
    ];
    let mut parts: Vec<Part> = ["sheet", "profile", "guide", "species"]
        .iter()
        .zip(&bodies)
        .map(|(kind, (url, body))| part(kind, url.clone(), body, None))
        .collect();
    // The corridor's POIs and their media in two reads, whatever their number; a POI
    // removed since the index was built is simply left out.
    let ids: Vec<PoiId> = hits.iter().map(|h| h.item.id.clone()).collect();
    let mut pois: HashMap<PoiId, Poi> = store
        .pois(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut media_by_poi: HashMap<PoiId, Vec<Media>> = HashMap::new();
    for m in store.media_of_pois(&ids).await? {
        if let MediaOwner::Poi(owner) = &m.owner {
            media_by_poi.entry(owner.clone()).or_default().push(m);
        }
    }
    let mut media_items = Vec::new();
    for id in &ids {
        let Some(poi) = pois.remove(id) else {
            continue;
        };
        let url = format!("/api/v1/pois/{id}");
        let poi_media = media_by_poi.remove(id).unwrap_or_default();
        let body = to_json(&feature_of(poi.in_language(lang), &poi_media))?;
        media_items.extend(poi_media);
        parts.push(part("poi", url.clone(), &body, Some(id.to_string())));
        bodies.push((url, body));
    }
    // Photos in phone size, each once even when several owners share it.
    let mut media_seen = std::collections::HashSet::new();
    for m in media.iter().chain(&media_items) {
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
        parts.push(part("media", url.clone(), &body, Some(m.id.clone())));
        bodies.push((url, body));
    }
    for unit in &crossed {
        let url = format!("/api/v1/landscapes/{}", unit.id);
        let body = to_json(&landscape_feature(unit))?;
        parts.push(part(
            "landscape",
            url.clone(),
            &body,
            Some(unit.id.to_string()),
        ));
        bodies.push((url, body));
    }
    let basemap = match state.basemap.as_ref() {
        Some(b) => {
            Some(add_tiles(b, &state.offline_zooms, &circuit, &mut parts, &mut bodies).await?)
        }
        None => None,
    };
    let mut version = hash::Fnv::new();
    for p in &parts {
        version.field(&p.url);
        version.field(&p.hash);
    }
    let manifest = Manifest {
        circuit: circuit.id.to_string(),
        name: circuit.name.clone(),
        version: format!("{:016x}", version.finish()),
        lang: lang.to_owned(),
        total_bytes: parts.iter().map(|p| p.bytes).sum(),
        parts,
        basemap,
    };
    let package = Arc::new(Package { manifest, bodies });
    state.packages.put(key, catalog.revision, package.clone());
    Ok(package)
}

pub use crate::lang::LANGUAGES;

/// Packages kept in memory at most: each may hold megabytes of tiles.
pub const CACHED_PACKAGES: usize = 64;

/// Tiles are listed within this distance of the trace.
pub const TILE_BUFFER_M: f64 = 500.0;

/// Tiles fetched at once while building a package (they may come from upstream).
const TILE_FETCHES: usize = 16;

/// Adds the basemap tiles covering the circuit at the offline zooms the basemap has;
/// returns the manifest's `basemap` entry. A tile the basemap lacks is left out; a
/// basemap that cannot answer fails the package (a phone would get holes in its map).
async fn add_tiles(
    basemap: &Arc<Basemap>,
    zooms: &RangeInclusive<u8>,
    circuit: &Circuit,
    parts: &mut Vec<Part>,
    bodies: &mut Vec<(String, Vec<u8>)>,
) -> ApiResult<serde_json::Value> {
    let (low, high) = (
        (*zooms.start()).max(basemap.min_zoom),
        (*zooms.end()).min(basemap.max_zoom),
    );
    let wanted = if low <= high {
        covering(&circuit.trace, TILE_BUFFER_M, low..=high)
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
                ApiError::Unavailable
            })?;
            if let Some(bytes) = tile {
                let url = format!("/tiles/{z}/{x}/{y}");
                parts.push(part("tile", url.clone(), &bytes, None));
                bodies.push((url, bytes));
            }
        }
    }
    Ok(serde_json::json!({
        "tiles": TILE_TEMPLATE, "min_zoom": low, "max_zoom": high, "attribution": basemap.attribution,
    }))
}

/// The offline package manifest, or the whole package as one zip archive.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/offline", tag = "offline",
    params(("id" = String, Path, description = "Circuit id"),
           ("lang" = Option<String>, Query, description = "Language of the content (default `fr`)"),
           ("format" = Option<String>, Query, description = "`json` (default) or `zip`")),
    responses((status = 200, body = Manifest, description = "The manifest; its ETag is the version"),
              (status = 304, description = "Nothing changed since the version sent in If-None-Match"),
              (status = 404, body = ErrorBody)))]
pub async fn offline(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang", "format"])?;
    let lang = p.text("lang").unwrap_or("fr").to_owned();
    if !LANGUAGES.contains(&lang.as_str()) {
        return Err(ApiError::BadRequest(format!(
            "`lang`: `{lang}` (expected one of: {})",
            LANGUAGES.join(", ")
        )));
    }
    let zip = match p.text("format") {
        None | Some("json") => false,
        Some("zip") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "`format`: `{other}` (expected json or zip)"
            )));
        }
    };
    let package = build(&state, &id, &lang).await?;
    let etag = format!("\"{}\"", package.manifest.version);
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::Encode(e.to_string()))?;
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    if zip {
        let body = zip_of(&package)?;
        let name = format!(
            "attachment; filename=\"{}-offline.zip\"",
            package.manifest.circuit
        );
        let disposition =
            HeaderValue::from_str(&name).map_err(|e| ApiError::Encode(e.to_string()))?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/zip"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
                (header::ETAG, etag_value),
            ],
            body,
        )
            .into_response());
    }
    Ok(([(header::ETAG, etag_value)], Json(package.manifest.clone())).into_response())
}

/// `manifest.json` at the root, then each part at its URL's path: data with `.json`
/// added, tiles with their image type's extension.
fn zip_of(package: &Package) -> ApiResult<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| ApiError::Encode(format!("zip: {e}"));
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
        _ => path.to_owned(),
    }
}

/// What guidance needs for one circuit: its trace, the POIs along it and the rules'
/// settings.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/guide", tag = "offline",
    params(("id" = String, Path, description = "Circuit id")),
    responses((status = 200, body = GuideData), (status = 404, body = ErrorBody)))]
pub async fn guide(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<GuideData>> {
    let circuit = load(state.store.as_ref(), &id).await?;
    let catalog: SharedCatalog = state.catalog.clone();
    let catalog = catalog.current();
    let hits = catalog.index.pois_along(&circuit.trace, OFFLINE_CORRIDOR_M);
    Ok(Json(guide_of(
        &circuit,
        &hits,
        &catalog.landscapes_crossed(&circuit.trace),
    )))
}
