//! Basemap tiles, served same-origin at `/tiles/{z}/{x}/{y}` so that offline packages
//! can list them: from a PMTiles or MBTiles archive on disk, or from an upstream XYZ
//! server fetched once and kept in a disk cache for as long as its headers allow.
//!
//! An upstream server is someone else's: Balade asks it only for the tiles its maps and
//! offline packages need (the territory, up to the deepest offline zoom: see
//! [`crate::App::tile`]), each at most once at a time however many ask, and keeps the
//! cache under a size, the least recently fetched tiles going first.

mod mvt;
mod presets;
pub mod territory;

pub use presets::{PRESETS, Preset, preset};

use balade_core::Trace;
use pmtiles::{AsyncPmTilesReader, MmapBackend, TileCoord, TileType};
use std::collections::{BTreeSet, HashMap};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error("cannot open basemap {0}")]
    Open(String),
    #[error("basemap read failed: {0}")]
    Read(String),
    #[error("upstream tile server: {0}")]
    Upstream(String),
}

/// The deepest zoom Web Mercator tiles go to here.
pub const MAX_ZOOM: u8 = 22;

/// Tile `(x, y)` holding a position at zoom `z` (Web Mercator, XYZ scheme).
pub fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    let max = n - 1.0;
    (x.clamp(0.0, max) as u32, y.clamp(0.0, max) as u32)
}

/// Every tile at zooms `zooms` within `buffer_m` of the trace: for each trace point, the
/// tiles of the box `buffer_m` around it. Points are dense enough on a walking trace
/// (tens of metres apart) that the boxes of consecutive points overlap.
pub fn covering(trace: &Trace, buffer_m: f64, zooms: RangeInclusive<u8>) -> Vec<(u8, u32, u32)> {
    let mut tiles = BTreeSet::new();
    let dlat = buffer_m / 110_574.0;
    for p in trace.points() {
        let (lon, lat) = (p.pos.lon(), p.pos.lat());
        let dlon = buffer_m / (111_320.0 * lat.to_radians().cos().max(0.01));
        for z in zooms.clone() {
            let (x0, y0) = tile_of(lon - dlon, lat + dlat, z);
            let (x1, y1) = tile_of(lon + dlon, lat - dlat, z);
            for x in x0..=x1 {
                for y in y0..=y1 {
                    tiles.insert((z, x, y));
                }
            }
        }
    }
    tiles.into_iter().collect()
}

/// The media type of a raster tile, from its first bytes.
pub fn media_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        _ => "application/octet-stream",
    }
}

/// How the web app draws a basemap's tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PNG, JPEG or WebP images.
    Raster,
    /// Mapbox Vector Tiles (the Protomaps basemap schema is the one the app styles).
    Vector,
}

/// The media type of vector tiles, served uncompressed.
pub const VECTOR_TILE_TYPE: &str = "application/vnd.mapbox-vector-tile";

enum Source {
    Pmtiles(AsyncPmTilesReader<MmapBackend>),
    Mbtiles(sqlx::SqlitePool),
    Upstream(Upstream),
}

/// A configured basemap.
pub struct Basemap {
    source: Source,
    pub kind: Kind,
    /// The preset's name, or the file's name: what the app may show.
    pub name: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// `[west, south, east, north]` when the archive says.
    pub bounds: Option<[f64; 4]>,
    /// The credit the map must show (data and style owners), when configured.
    pub attribution: Option<String>,
    /// Where the provider's usage terms are (presets).
    pub terms: Option<String>,
    /// Whether offline packages may hold its tiles. Files on the deployment's own disk
    /// and its own tile servers may; a preset only when its provider's terms do.
    pub prefetch: bool,
    /// What it is, for logs: the file or the upstream template.
    pub description: String,
}

impl std::fmt::Debug for Basemap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Basemap")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl Basemap {
    /// Opens `spec`: a preset's name ([`PRESETS`]), an `http(s)://…/{z}/{x}/{y}…`
    /// template (cached in `cache_dir`), or a `.pmtiles` or `.mbtiles` file.
    pub async fn open(spec: &str, cache_dir: &Path, cache_bytes: u64) -> Result<Self, TileError> {
        let open_err = |e: &dyn std::fmt::Display| TileError::Open(format!("{spec}: {e}"));
        if let Some(p) = preset(spec).or_else(|| presets::preset_of_template(spec)) {
            let upstream = Upstream::new(p.template, cache_dir.to_owned(), cache_bytes)
                .map_err(|e| open_err(&e))?;
            return Ok(Self {
                source: Source::Upstream(upstream),
                kind: Kind::Raster,
                name: p.name.to_owned(),
                min_zoom: 0,
                max_zoom: p.max_zoom,
                bounds: None,
                attribution: Some(p.attribution.to_owned()),
                terms: Some(p.terms.to_owned()),
                prefetch: p.prefetch,
                description: format!("{} ({})", p.name, p.template),
            });
        }
        if spec.starts_with("http://") || spec.starts_with("https://") {
            if !(spec.contains("{z}") && spec.contains("{x}") && spec.contains("{y}")) {
                return Err(open_err(&"an upstream URL needs {z}, {x} and {y}"));
            }
            let upstream =
                Upstream::new(spec, cache_dir.to_owned(), cache_bytes).map_err(|e| open_err(&e))?;
            let host = spec.split('/').nth(2).unwrap_or(spec);
            return Ok(Self {
                source: Source::Upstream(upstream),
                kind: Kind::Raster,
                name: host.to_owned(),
                min_zoom: 0,
                max_zoom: 19,
                bounds: None,
                attribution: None,
                terms: None,
                prefetch: true,
                description: spec.to_owned(),
            });
        }
        let path = Path::new(spec);
        let name = path
            .file_name()
            .map_or_else(|| spec.to_owned(), |n| n.to_string_lossy().into_owned());
        let file = |source, kind, min_zoom, max_zoom, bounds| Self {
            source,
            kind,
            name: name.clone(),
            min_zoom,
            max_zoom,
            bounds,
            attribution: None,
            terms: None,
            prefetch: true,
            description: spec.to_owned(),
        };
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("pmtiles") => {
                let reader = AsyncPmTilesReader::new_with_path(path)
                    .await
                    .map_err(|e| open_err(&e))?;
                let h = reader.get_header();
                let kind = match h.tile_type {
                    TileType::Mvt => Kind::Vector,
                    TileType::Png | TileType::Jpeg | TileType::Webp => Kind::Raster,
                    other => {
                        return Err(open_err(&format!(
                            "tiles of type {other:?} cannot be drawn"
                        )));
                    }
                };
                let (min_zoom, max_zoom) = (h.min_zoom, h.max_zoom);
                let bounds = Some([
                    h.min_longitude,
                    h.min_latitude,
                    h.max_longitude,
                    h.max_latitude,
                ]);
                // The archive's own name and credit, unless the deployment gives one.
                let metadata = reader
                    .get_metadata()
                    .await
                    .ok()
                    .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok());
                let said = |key: &str| {
                    metadata
                        .as_ref()
                        .and_then(|m| m.get(key)?.as_str().map(str::to_owned))
                };
                let (own_name, attribution) = (said("name"), said("attribution"));
                let mut basemap = file(Source::Pmtiles(reader), kind, min_zoom, max_zoom, bounds);
                basemap.attribution = attribution;
                if let Some(n) = own_name {
                    basemap.name = n;
                }
                Ok(basemap)
            }
            Some("mbtiles") => {
                if !path.is_file() {
                    return Err(open_err(&"no such file"));
                }
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true);
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await
                    .map_err(|e| open_err(&e))?;
                let (min, max): (Option<i64>, Option<i64>) =
                    sqlx::query_as("SELECT min(zoom_level), max(zoom_level) FROM tiles")
                        .fetch_one(&pool)
                        .await
                        .map_err(|e| open_err(&e))?;
                // The MBTiles spec names vector tiles' format `pbf` in its metadata.
                let format: Option<String> =
                    sqlx::query_scalar("SELECT value FROM metadata WHERE name = 'format'")
                        .fetch_optional(&pool)
                        .await
                        .ok()
                        .flatten();
                let kind = if format.as_deref() == Some("pbf") {
                    Kind::Vector
                } else {
                    Kind::Raster
                };
                let zoom = |z: Option<i64>, default: u8| {
                    z.and_then(|z| u8::try_from(z).ok()).unwrap_or(default)
                };
                Ok(file(
                    Source::Mbtiles(pool),
                    kind,
                    zoom(min, 0),
                    zoom(max, 0),
                    None,
                ))
            }
            _ => Err(open_err(&format!(
                "expected a .pmtiles or .mbtiles file, an http(s) URL template or one of {}",
                PRESETS.map(|p| p.name).join(", ")
            ))),
        }
    }

    /// The media type of one of its tiles.
    pub fn media_type(&self, bytes: &[u8]) -> &'static str {
        match self.kind {
            Kind::Vector => VECTOR_TILE_TYPE,
            Kind::Raster => media_type(bytes),
        }
    }

    /// Whether tiles come from someone else's server (and cost them a request each).
    pub fn is_upstream(&self) -> bool {
        matches!(self.source, Source::Upstream(_))
    }

    /// The tile at `z/x/y`, or `None` when the basemap has none there.
    pub async fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TileError> {
        if z < self.min_zoom || z > self.max_zoom || x >= (1u32 << z) || y >= (1u32 << z) {
            return Ok(None);
        }
        match &self.source {
            Source::Pmtiles(reader) => {
                let coord = TileCoord::new(z, x, y).map_err(|e| TileError::Read(e.to_string()))?;
                let tile = reader
                    .get_tile_decompressed(coord)
                    .await
                    .map_err(|e| TileError::Read(e.to_string()))?;
                Ok(tile.map(|b| b.to_vec()))
            }
            Source::Mbtiles(pool) => {
                // MBTiles rows count from the south (TMS).
                let row = (1i64 << z) - 1 - i64::from(y);
                let tile: Option<Vec<u8>> = sqlx::query_scalar("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?")
                    .bind(i64::from(z))
                    .bind(i64::from(x))
                    .bind(row)
                    .fetch_optional(pool)
                    .await
                    .map_err(|e| TileError::Read(e.to_string()))?;
                tile.map(gunzipped).transpose()
            }
            Source::Upstream(upstream) => upstream.tile(z, x, y).await,
        }
    }
}

/// MBTiles vector tiles are stored gzipped; they are served as they decode.
fn gunzipped(bytes: Vec<u8>) -> Result<Vec<u8>, TileError> {
    use std::io::Read;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut plain = Vec::with_capacity(bytes.len() * 3);
    flate2::read::GzDecoder::new(bytes.as_slice())
        .take(MAX_TILE_BYTES as u64 * 4)
        .read_to_end(&mut plain)
        .map_err(|e| TileError::Read(format!("gzip: {e}")))?;
    Ok(plain)
}

/// Held while one tile is fetched.
type TurnLock = Arc<tokio::sync::Mutex<()>>;

/// An upstream XYZ server and the disk cache in front of it.
struct Upstream {
    template: String,
    client: reqwest::Client,
    cache_dir: PathBuf,
    /// The most the cache may hold, and what it holds (bodies and their freshness).
    cache_limit: u64,
    cache_size: Arc<AtomicU64>,
    evicting: Arc<AtomicBool>,
    /// Tiles being fetched: a second asker waits for the first fetch.
    fetching: Mutex<HashMap<(u8, u32, u32), TurnLock>>,
}

/// How long a tile is kept when the upstream says nothing about it.
const DEFAULT_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

async fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let aside = path.with_extension(format!("part{}", std::process::id()));
    tokio::fs::write(&aside, bytes).await?;
    tokio::fs::rename(&aside, path).await
}

/// Larger upstream answers are not tiles.
const MAX_TILE_BYTES: usize = 4 * 1024 * 1024;

/// What the cache keeps beside a tile.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct CacheMeta {
    /// Seconds since the epoch after which the tile must be asked for again.
    fresh_until: u64,
    etag: Option<String>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// How long a response may be kept: `None` for `no-store`, `max-age` when given, the
/// default otherwise (`no-cache` keeps it but asks again every time).
fn freshness(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let cc = headers
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let directives: Vec<&str> = cc.split(',').map(str::trim).collect();
    if directives.contains(&"no-store") {
        return None;
    }
    if directives.contains(&"no-cache") {
        return Some(Duration::ZERO);
    }
    let max_age = directives
        .iter()
        .find_map(|d| d.strip_prefix("max-age="))
        .and_then(|v| v.parse().ok());
    Some(max_age.map_or(DEFAULT_TTL, Duration::from_secs))
}

impl Upstream {
    fn new(template: &str, cache_dir: PathBuf, cache_limit: u64) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "Balade/",
                env!("CARGO_PKG_VERSION"),
                " (offline walking maps; tiles cached)"
            ))
            .timeout(Duration::from_secs(20))
            .build()?;
        let cache_size = Arc::new(AtomicU64::new(folder_size(&cache_dir)));
        Ok(Self {
            template: template.to_owned(),
            client,
            cache_dir,
            cache_limit,
            cache_size,
            evicting: Arc::default(),
            fetching: Mutex::default(),
        })
    }

    /// The tile, fetched by one asker at a time: the others find it in the cache.
    async fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TileError> {
        let lock = {
            let mut map = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, l| Arc::strong_count(l) > 1);
            map.entry((z, x, y)).or_default().clone()
        };
        let _turn = lock.lock().await;
        self.fetch(z, x, y).await
    }

    async fn fetch(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, TileError> {
        let dir = self.cache_dir.join(z.to_string()).join(x.to_string());
        let (body_path, meta_path) = (dir.join(format!("{y}.tile")), dir.join(format!("{y}.json")));
        let cached = tokio::fs::read(&body_path).await.ok();
        let meta: Option<CacheMeta> = tokio::fs::read(&meta_path)
            .await
            .ok()
            .and_then(|m| serde_json::from_slice(&m).ok());
        if let (Some(body), Some(m)) = (&cached, &meta)
            && m.fresh_until > now_secs()
        {
            return Ok(Some(body.clone()));
        }
        let url = self
            .template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string());
        let mut request = self.client.get(&url);
        if let (Some(_), Some(etag)) = (&cached, meta.as_ref().and_then(|m| m.etag.as_deref())) {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let response = match request.send().await {
            Ok(r) => r,
            // Out of reach: a stale tile beats no tile.
            Err(e) => {
                return cached
                    .map(Some)
                    .ok_or_else(|| TileError::Upstream(e.to_string()));
            }
        };
        let status = response.status();
        let keep = freshness(response.headers());
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status == reqwest::StatusCode::NOT_MODIFIED
            && let Some(body) = cached.as_ref()
        {
            if let Some(ttl) = keep {
                self.remember(
                    &dir,
                    &meta_path,
                    None,
                    ttl,
                    etag.or(meta.and_then(|m| m.etag)),
                )
                .await;
            }
            return Ok(Some(body.clone()));
        }
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !status.is_success() {
            return cached
                .map(Some)
                .ok_or_else(|| TileError::Upstream(format!("{url}: {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| TileError::Upstream(e.to_string()))?
            .to_vec();
        // An error page or a vector tile served as a tile would be cached and packaged
        // for weeks: only images pass.
        if media_type(&body) == "application/octet-stream" || body.len() > MAX_TILE_BYTES {
            let refused =
                TileError::Upstream(format!("{url}: not a PNG, JPEG or WebP image under 4 MiB"));
            return cached.map(Some).ok_or(refused);
        }
        if let Some(ttl) = keep {
            self.remember(&dir, &meta_path, Some((&body_path, &body)), ttl, etag)
                .await;
        }
        Ok(Some(body))
    }

    /// Writes the tile (when given) and its freshness. A cache that cannot be written
    /// only costs a fetch next time.
    async fn remember(
        &self,
        dir: &Path,
        meta_path: &Path,
        body: Option<(&Path, &[u8])>,
        ttl: Duration,
        etag: Option<String>,
    ) {
        let meta = CacheMeta {
            fresh_until: now_secs().saturating_add(ttl.as_secs()),
            etag,
        };
        // Each file is written aside then renamed over the old one, body before its
        // freshness: a reader or a crash never pairs a half-written tile with it.
        let meta_bytes = serde_json::to_vec(&meta).unwrap_or_default();
        let write = async {
            tokio::fs::create_dir_all(dir).await?;
            if let Some((path, bytes)) = body {
                replace_file(path, bytes).await?;
            }
            replace_file(meta_path, &meta_bytes).await
        };
        match write.await {
            Ok(()) => {
                let added = body.map_or(0, |(_, b)| b.len() as u64) + meta_bytes.len() as u64;
                let size = self.cache_size.fetch_add(added, Ordering::Relaxed) + added;
                if size > self.cache_limit {
                    self.evict();
                }
            }
            Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "tile cache not written"),
        }
    }

    /// Brings the cache back under nine tenths of its limit, the tiles fetched longest
    /// ago first, on a thread of its own (one eviction at a time).
    fn evict(&self) {
        if self.evicting.swap(true, Ordering::AcqRel) {
            return;
        }
        let (dir, limit) = (self.cache_dir.clone(), self.cache_limit);
        let (size, evicting) = (self.cache_size.clone(), self.evicting.clone());
        tokio::task::spawn_blocking(move || {
            let kept = shrink(&dir, limit / 10 * 9);
            size.store(kept, Ordering::Relaxed);
            evicting.store(false, Ordering::Release);
        });
    }
}

/// Every file under `dir` with its size and modification time.
fn files_under(dir: &Path, out: &mut Vec<(PathBuf, u64, SystemTime)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.metadata() {
            Ok(m) if m.is_dir() => files_under(&path, out),
            Ok(m) => out.push((path, m.len(), m.modified().unwrap_or(UNIX_EPOCH))),
            Err(_) => {}
        }
    }
}

fn folder_size(dir: &Path) -> u64 {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    files.iter().map(|(_, len, _)| len).sum()
}

/// Deletes the oldest tiles (with their freshness) until the folder holds at most
/// `target` bytes; returns what it holds then.
fn shrink(dir: &Path, target: u64) -> u64 {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let mut size: u64 = files.iter().map(|(_, len, _)| len).sum();
    files.sort_by_key(|(_, _, at)| *at);
    for (path, len, _) in files {
        if size <= target {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            size = size.saturating_sub(len);
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::{LonLat, TracePoint};

    #[test]
    fn tile_math_matches_known_tiles() {
        // Notre-Dame de Paris at zoom 12 is tile 2074/1409 (hand-computed from the
        // Web Mercator formulas: x = (lon+180)/360·2^z, y from the Mercator latitude).
        assert_eq!(tile_of(2.3499, 48.8530, 12), (2074, 1409));
        assert_eq!(tile_of(-180.0, 85.0511, 0), (0, 0));
        assert_eq!(tile_of(179.9999, -85.0511, 3), (7, 7));
    }

    #[test]
    fn covering_grows_with_zoom_and_buffer() {
        let trace = Trace {
            segments: vec![
                (0..50)
                    .map(|i| TracePoint {
                        pos: LonLat::new(3.28 + i as f64 * 0.0004, 48.56).unwrap(),
                        ele: None,
                    })
                    .collect(),
            ],
        };
        let z16 = covering(&trace, 500.0, 16..=16);
        let z14 = covering(&trace, 500.0, 14..=14);
        assert!(z16.len() > z14.len(), "{} {}", z16.len(), z14.len());
        // Every trace point's own tile is in.
        for p in trace.points() {
            let (x, y) = tile_of(p.pos.lon(), p.pos.lat(), 16);
            assert!(z16.contains(&(16, x, y)));
        }
        assert!(covering(&trace, 50.0, 16..=16).len() < z16.len());
    }

    #[test]
    fn a_cache_over_its_size_loses_its_oldest_files_first() {
        let dir = tempfile::tempdir().expect("dir");
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            let path = dir.path().join("12").join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(&path, vec![0u8; 1000]).expect("write");
            let at = SystemTime::now() - Duration::from_secs(100 - i as u64 * 10);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(at))
                .expect("time");
        }
        assert_eq!(folder_size(dir.path()), 4000);
        assert_eq!(shrink(dir.path(), 2500), 2000);
        let left: Vec<bool> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| dir.path().join("12").join(n).exists())
            .collect();
        assert_eq!(left, [false, false, true, true], "the two oldest went");
    }

    #[test]
    fn media_types_and_freshness() {
        assert_eq!(media_type(&[0x89, b'P', b'N', b'G', 0, 0]), "image/png");
        assert_eq!(media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), "image/jpeg");
        assert_eq!(media_type(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(freshness(&h), Some(DEFAULT_TTL));
        h.insert(
            reqwest::header::CACHE_CONTROL,
            "public, max-age=60".parse().unwrap(),
        );
        assert_eq!(freshness(&h), Some(Duration::from_secs(60)));
        h.insert(reqwest::header::CACHE_CONTROL, "no-store".parse().unwrap());
        assert_eq!(freshness(&h), None);
        h.insert(reqwest::header::CACHE_CONTROL, "no-cache".parse().unwrap());
        assert_eq!(freshness(&h), Some(Duration::ZERO));
    }
}
