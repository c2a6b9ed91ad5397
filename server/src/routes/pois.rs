//! Points of interest: what is near a place, and one POI's content.

use crate::catalog::SharedCatalog;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::lang;
use crate::query::Params;
use crate::routes::media::{MediaItem, item as media_item};
use crate::routes::{PointGeometry, parse_id, round1};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use balade_core::store::Store;
use balade_core::{LonLat, Media, MediaOwner, Poi, PoiDetails, PoiId, PoiKind};
use serde::Serialize;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_RADIUS_M: f64 = 1_000.0;
pub const MAX_RADIUS_M: f64 = 50_000.0;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 200;

/// Parameters of the nearby search.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearbyQuery {
    /// Longitude, WGS84.
    pub lon: f64,
    /// Latitude, WGS84.
    pub lat: f64,
    /// Search radius in metres (default 1000, at most 50000).
    pub radius: Option<f64>,
    /// At most this many POIs (default 20, at most 200).
    pub limit: Option<usize>,
    /// Only these kinds; repeatable.
    #[param(value_type = Option<Vec<String>>)]
    pub kind: Vec<PoiKind>,
    /// Language of the names (`fr`, `en`; default from `Accept-Language`, else French).
    pub lang: Option<String>,
}

impl NearbyQuery {
    fn from_query(
        raw: Option<&str>,
        headers: &HeaderMap,
    ) -> ApiResult<(LonLat, f64, usize, Vec<PoiKind>, &'static str)> {
        let p = Params::parse(raw)?;
        p.only(&["lon", "lat", "radius", "limit", "kind", "lang"])?;
        let lon = p
            .get::<f64>("lon")?
            .ok_or_else(|| ApiError::BadRequest("`lon` is required".into()))?;
        let lat = p
            .get::<f64>("lat")?
            .ok_or_else(|| ApiError::BadRequest("`lat` is required".into()))?;
        let at = LonLat::new(lon, lat).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let radius = p.number("radius", 0.0..=MAX_RADIUS_M, DEFAULT_RADIUS_M)?;
        let limit = p.number("limit", 1.0..=MAX_LIMIT as f64, DEFAULT_LIMIT as f64)? as usize;
        let lang = lang::pick(p.text("lang"), headers)?;
        Ok((at, radius, limit, p.all("kind")?, lang))
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

/// POIs around a place, nearest first, answered from the in-memory index. The hot path
/// of the guide: answers borrow from the catalogue and are written into one buffer.
#[utoipa::path(get, path = "/api/v1/pois/nearby", tag = "pois", params(NearbyQuery),
    responses((status = 200, body = NearbyCollection), (status = 400, body = ErrorBody)))]
pub async fn nearby(
    State(catalog): State<SharedCatalog>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (at, radius, limit, kinds, lang) = NearbyQuery::from_query(raw.as_deref(), &headers)?;
    let catalog = catalog.current();
    let features: Vec<NearbyFeature<'_>> = catalog
        .index
        .nearby_pois(at, radius, limit, &kinds)
        .into_iter()
        .map(|h| NearbyFeature {
            kind: "Feature",
            id: h.item.id.as_str(),
            geometry: PointGeometry::of(h.item.pos),
            properties: NearbyProperties {
                id: h.item.id.as_str(),
                name: h.item.name_in(lang),
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
    serde_json::to_writer(&mut buf, &body).map_err(|e| ApiError::Encode(e.to_string()))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        buf,
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PoiProperties {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub elevation_m: Option<f64>,
    /// The circuit whose file brought this POI.
    pub circuit: Option<String>,
    pub commune: Option<String>,
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
    pub geometry: Option<PointGeometry>,
    pub properties: PoiProperties,
}

/// One POI with its content.
#[utoipa::path(get, path = "/api/v1/pois/{id}", tag = "pois",
    params(("id" = String, Path, description = "POI id"),
           ("lang" = Option<String>, Query, description = "Language of the texts (`fr`, `en`; default from `Accept-Language`, else French)")),
    responses((status = 200, body = PoiFeature), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(store): State<Arc<dyn Store>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Json<PoiFeature>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    let id: PoiId = parse_id(&id)?;
    let poi = store
        .poi(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no POI `{id}`")))?;
    let media = store.media_of(&MediaOwner::Poi(poi.id.clone())).await?;
    Ok(Json(feature_of(poi.in_language(lang), &media)))
}

/// What `GET /api/v1/pois/{id}` answers for a POI.
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
