//! Answers read straight from the catalogue or the store: what is near a place, one POI,
//! landscape units, species around a place or along a circuit, a photo's derivative,
//! the basemap's description.

use crate::basemap::Kind;
use crate::package::TILE_TEMPLATE;
use crate::views::landscape::{LandscapeCollection, LandscapeFeature, feature_of as landscape};
use crate::views::media;
use crate::views::poi::{NearbyQuery, PoiFeature, feature_of, nearby_json};
use crate::views::species::{self, SpeciesList};
use crate::{App, AppError, AppResult, parse_id};
use balade_core::species::{CellKey, SpeciesGrid, SpeciesSeen, cells_along, cells_near_place};
use balade_core::store::Store;
use balade_core::{Area, LandscapeId, LonLat, MediaOwner, PoiId};
use serde::Serialize;
use utoipa::ToSchema;

/// The basemap as the web app needs to draw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasemapInfo {
    /// `/tiles/{z}/{x}/{y}`, or `null` when no basemap is configured.
    pub tiles: Option<&'static str>,
    /// How its tiles are drawn.
    pub kind: Option<Kind>,
    /// The preset's or the file's name.
    pub name: Option<String>,
    pub min_zoom: Option<u8>,
    pub max_zoom: Option<u8>,
    /// Zooms included in offline packages.
    pub offline_zooms: [u8; 2],
    /// The credit to show on the map.
    pub attribution: Option<String>,
    /// Where the provider's usage terms are.
    pub terms: Option<String>,
    /// Whether offline packages hold its tiles (never when its provider's terms forbid
    /// fetching tiles ahead).
    pub prefetch: bool,
}

/// The species seen in the cells `keys`, from the store's public aggregates: read
/// when asked, so that no grid of a whole country's observations stays in memory.
pub async fn species_seen(store: &dyn Store, keys: &[CellKey]) -> AppResult<Vec<SpeciesSeen>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let (cells, taxa) = store.species_in(keys).await?;
    Ok(SpeciesGrid::new(cells, taxa).seen(keys))
}

/// How far around the territory's circuits and POIs tiles are fetched from upstream.
pub const TERRITORY_MARGIN_M: f64 = 20_000.0;

/// `[west, south, east, north]` of tile `z/x/y` (Web Mercator).
pub fn tile_bounds(z: u8, x: u32, y: u32) -> [f64; 4] {
    let n = f64::from(1u32 << z);
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y / n))
            .sinh()
            .atan()
            .to_degrees()
    };
    [
        lon(f64::from(x)),
        lat(f64::from(y) + 1.0),
        lon(f64::from(x) + 1.0),
        lat(f64::from(y)),
    ]
}

impl App {
    /// A basemap tile. An upstream server is asked only for tiles within the territory
    /// ([`TERRITORY_MARGIN_M`] around its circuits and POIs) and no deeper than the
    /// deepest offline zoom: what the maps and the offline packages need.
    /// Answered with the tile's media type.
    pub async fn tile(&self, z: u8, x: u32, y: u32) -> AppResult<Option<(Vec<u8>, &'static str)>> {
        let Some(basemap) = self.basemap.as_ref() else {
            return Err(AppError::NotFound("no basemap configured".into()));
        };
        if basemap.is_upstream() && !self.within_territory(z, x, y) {
            return Ok(None);
        }
        let tile = basemap.tile(z, x, y).await.map_err(|e| {
            tracing::warn!(error = %e, "tile unavailable");
            AppError::Unavailable
        })?;
        Ok(tile.map(|bytes| {
            let media_type = basemap.media_type(&bytes);
            (bytes, media_type)
        }))
    }

    fn within_territory(&self, z: u8, x: u32, y: u32) -> bool {
        if z > *self.settings.offline_zooms.end() {
            return false;
        }
        let Some([w, s, e, n]) = self.catalog.current().bounds else {
            return false;
        };
        let dlat = TERRITORY_MARGIN_M / 111_320.0;
        let dlon =
            TERRITORY_MARGIN_M / (111_320.0 * s.abs().max(n.abs()).min(85.0).to_radians().cos());
        let [tw, ts, te, tn] = tile_bounds(z, x, y);
        tw <= e + dlon && te >= w - dlon && ts <= n + dlat && tn >= s - dlat
    }

    /// The nearby answer as JSON (the guide's hot path: no store access).
    pub fn nearby(&self, q: &NearbyQuery) -> AppResult<Vec<u8>> {
        nearby_json(&self.catalog.current(), q)
    }

    /// POI `id` with its content and media, texts in `lang`.
    pub async fn poi(&self, id: &str, lang: &str) -> AppResult<PoiFeature> {
        let id: PoiId = parse_id(id)?;
        // A POI the sensitivity list hides is answered as one that does not exist.
        let poi = (self.store.poi(&id).await?)
            .and_then(|p| self.catalog.current().protect(p))
            .ok_or_else(|| AppError::NotFound(format!("no POI `{id}`")))?;
        let media = self
            .store
            .media_of(&MediaOwner::Poi(poi.id.clone()))
            .await?;
        Ok(feature_of(poi.in_language(lang), &media))
    }

    /// The landscape units a place lies in, or every unit without a place, a page of
    /// them: `limit` from `offset`, in id order.
    pub fn landscapes(
        &self,
        at: Option<LonLat>,
        limit: usize,
        offset: usize,
    ) -> LandscapeCollection {
        let catalog = self.catalog.current();
        let matching: Vec<_> = catalog
            .landscapes
            .iter()
            .filter(|l| at.is_none_or(|p| l.contains(p)))
            .collect();
        LandscapeCollection {
            kind: "FeatureCollection",
            total: matching.len(),
            features: matching
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(landscape)
                .collect(),
        }
    }

    /// One landscape unit with its shape and text.
    pub fn landscape(&self, id: &str) -> AppResult<LandscapeFeature> {
        let id: LandscapeId = parse_id(id)?;
        let catalog = self.catalog.current();
        catalog
            .landscapes
            .iter()
            .find(|l| l.id == id)
            .map(landscape)
            .ok_or_else(|| AppError::NotFound(format!("no landscape unit `{id}`")))
    }

    /// Species observed within `radius_m` of a place, most observed first.
    pub async fn species_near(
        &self,
        at: LonLat,
        radius_m: f64,
        limit: usize,
    ) -> AppResult<SpeciesList> {
        let seen = species_seen(self.store.as_ref(), &cells_near_place(at, radius_m)).await?;
        Ok(species::list(&seen, limit))
    }

    /// Species observed along circuit `id`, most observed first.
    pub async fn species_along(&self, id: &str) -> AppResult<SpeciesList> {
        self.fresh_for(id).await?;
        let circuit = self.circuit(id).await?;
        let seen = species_seen(self.store.as_ref(), &cells_along(&circuit.trace)).await?;
        Ok(species::list(&seen, species::MAX_LIMIT))
    }

    /// The bytes of a photo's derivative named `name` (`800.jpg`).
    pub async fn media_file(&self, id: &str, name: &str) -> AppResult<Vec<u8>> {
        let not_found = || AppError::NotFound(format!("no media file `{id}/{name}`"));
        let width = media::file_width(name).ok_or_else(not_found)?;
        if !media::plausible_id(id) {
            return Err(not_found());
        }
        self.store
            .media_file(id, width)
            .await?
            .ok_or_else(not_found)
    }

    pub fn basemap_info(&self) -> BasemapInfo {
        let b = self.basemap.as_ref();
        let zooms = &self.settings.offline_zooms;
        BasemapInfo {
            tiles: b.map(|_| TILE_TEMPLATE),
            kind: b.map(|b| b.kind),
            name: b.map(|b| b.name.clone()),
            min_zoom: b.map(|b| b.min_zoom),
            max_zoom: b.map(|b| b.max_zoom),
            offline_zooms: [*zooms.start(), *zooms.end()],
            attribution: b.and_then(|b| b.attribution.clone()),
            terms: b.and_then(|b| b.terms.clone()),
            prefetch: b.is_some_and(|b| b.prefetch),
        }
    }
}
