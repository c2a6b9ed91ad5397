//! POIs as GeoJSON: one POI with its content, and the nearby list (the guide's hot
//! path: answers borrow from the catalogue and are written into one buffer).

use super::media::{MediaItem, item as media_item};
use super::{PointGeometry, round1};
use crate::catalog::Catalog;
use crate::{AppError, AppResult};
use balade_core::{LonLat, Media, Poi, PoiDetails, PoiKind};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PoiProperties {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    #[schema(required = true)]
    pub elevation_m: Option<f64>,
    /// The circuit whose file brought this POI.
    #[schema(required = true)]
    pub circuit: Option<String>,
    #[schema(required = true)]
    pub commune: Option<String>,
    #[schema(required = true)]
    pub insee: Option<String>,
    /// What the source says beyond the text: denomination, period, dates, history,
    /// protection, status, address, opening hours, phone, website, wheelchair access,
    /// and the source's own fields under `provenance`. Empty fields are left out.
    #[schema(value_type = Object)]
    pub details: PoiDetails,
    /// Photos, video and audio, with credits and alternative texts.
    pub media: Vec<MediaItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PoiFeature {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    /// `null` for a record without a usable location (kept for search, not mapped).
    #[schema(required = true)]
    pub geometry: Option<PointGeometry>,
    pub properties: PoiProperties,
}

/// What `GET /api/v1/pois/{id}` answers for a POI (already in its language).
pub fn feature_of(poi: Poi, media: &[Media]) -> PoiFeature {
    PoiFeature {
        kind: "Feature",
        id: poi.id.to_string(),
        geometry: poi.pos.map(PointGeometry::of),
        properties: PoiProperties {
            id: poi.id.to_string(),
            name: poi.name,
            kind: poi.kind.to_string(),
            description: poi.description,
            elevation_m: poi.ele.map(round1),
            circuit: poi.circuit.map(|c| c.to_string()),
            commune: poi.commune,
            insee: poi.insee.map(|i| i.as_str().to_owned()),
            details: poi.details,
            media: media.iter().map(media_item).collect(),
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearbyProperties<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'static str,
    pub distance_m: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearbyFeature<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: &'a str,
    pub geometry: PointGeometry,
    pub properties: NearbyProperties<'a>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearbyCollection<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub features: Vec<NearbyFeature<'a>>,
}

/// What is near a place.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyQuery {
    pub at: LonLat,
    pub radius_m: f64,
    pub limit: usize,
    /// Only these kinds (all when empty).
    pub kinds: Vec<PoiKind>,
    pub lang: &'static str,
}

/// The nearby answer as JSON, nearest first, from the in-memory index.
pub fn nearby_json(catalog: &Catalog, q: &NearbyQuery) -> AppResult<Vec<u8>> {
    let index = catalog.index();
    let features: Vec<NearbyFeature<'_>> = index
        .nearby_pois(q.at, q.radius_m, q.limit, &q.kinds)
        .into_iter()
        .map(|h| NearbyFeature {
            kind: "Feature",
            id: h.item.id.as_str(),
            geometry: PointGeometry::of(h.item.pos),
            properties: NearbyProperties {
                id: h.item.id.as_str(),
                name: h.item.name_in(q.lang),
                kind: h.item.kind.as_str(),
                distance_m: round1(h.distance_m),
            },
        })
        .collect();
    let body = NearbyCollection {
        kind: "FeatureCollection",
        features,
    };
    let mut buf = Vec::with_capacity(64 + 224 * body.features.len());
    serde_json::to_writer(&mut buf, &body).map_err(|e| AppError::Encode(e.to_string()))?;
    Ok(buf)
}
