//! Answers read straight from the catalogue or the store: what is near a place, one POI,
//! landscape units, species around a place or along a circuit, a photo's derivative,
//! the basemap's description.

use crate::package::TILE_TEMPLATE;
use crate::views::landscape::{LandscapeCollection, LandscapeFeature, feature_of as landscape};
use crate::views::media;
use crate::views::poi::{NearbyQuery, PoiFeature, feature_of, nearby_json};
use crate::views::species::{self, SpeciesList};
use crate::{App, AppError, AppResult, parse_id};
use balade_core::{Area, LandscapeId, LonLat, MediaOwner, PoiId};
use serde::Serialize;
use utoipa::ToSchema;

/// The basemap as the web app needs to draw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BasemapInfo {
    /// `/tiles/{z}/{x}/{y}`, or `null` when no basemap is configured.
    pub tiles: Option<&'static str>,
    pub min_zoom: Option<u8>,
    pub max_zoom: Option<u8>,
    /// Zooms included in offline packages.
    pub offline_zooms: [u8; 2],
    /// The credit to show on the map.
    pub attribution: Option<String>,
}

impl App {
    /// The nearby answer as JSON (the guide's hot path: no store access).
    pub fn nearby(&self, q: &NearbyQuery) -> AppResult<Vec<u8>> {
        nearby_json(&self.catalog.current(), q)
    }

    /// POI `id` with its content and media, texts in `lang`.
    pub async fn poi(&self, id: &str, lang: &str) -> AppResult<PoiFeature> {
        let id: PoiId = parse_id(id)?;
        let poi = self
            .store
            .poi(&id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no POI `{id}`")))?;
        let media = self
            .store
            .media_of(&MediaOwner::Poi(poi.id.clone()))
            .await?;
        Ok(feature_of(poi.in_language(lang), &media))
    }

    /// The landscape units a place lies in, or every unit without a place.
    pub fn landscapes(&self, at: Option<LonLat>) -> LandscapeCollection {
        let catalog = self.catalog.current();
        LandscapeCollection {
            kind: "FeatureCollection",
            features: catalog
                .landscapes
                .iter()
                .filter(|l| at.is_none_or(|p| l.contains(p)))
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
    pub fn species_near(&self, at: LonLat, radius_m: f64, limit: usize) -> SpeciesList {
        species::list(&self.catalog.current().species.near(at, radius_m), limit)
    }

    /// Species observed along circuit `id`, most observed first.
    pub async fn species_along(&self, id: &str) -> AppResult<SpeciesList> {
        let (catalog, _) = self.fresh().await?;
        let circuit = self.circuit(id).await?;
        Ok(species::list(
            &catalog.species.along(&circuit.trace),
            species::MAX_LIMIT,
        ))
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
            min_zoom: b.map(|b| b.min_zoom),
            max_zoom: b.map(|b| b.max_zoom),
            offline_zooms: [*zooms.start(), *zooms.end()],
            attribution: b.and_then(|b| b.attribution.clone()),
        }
    }
}
