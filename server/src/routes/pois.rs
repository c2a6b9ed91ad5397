//! Points of interest: what is near a place, and one POI's content.

use super::{AcceptLanguage, Path};
use crate::error::{ApiError, ApiResult, BadRequest, NotFound};
use crate::lang;
use crate::query::Params;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use balade_app::App;
use balade_app::views::poi::{NearbyCollection, NearbyQuery, PoiFeature};
use balade_core::{LonLat, PoiKind};
use std::sync::Arc;
use utoipa::IntoParams;

pub const DEFAULT_RADIUS_M: f64 = 1_000.0;
pub const MAX_RADIUS_M: f64 = 50_000.0;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 200;

/// Parameters of the nearby search.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct NearbyParams {
    /// Longitude, WGS84.
    #[param(minimum = -180, maximum = 180)]
    pub lon: f64,
    /// Latitude, WGS84.
    #[param(minimum = -90, maximum = 90)]
    pub lat: f64,
    /// Search radius in metres (default 1000, at most 50000).
    #[param(minimum = 0, maximum = 50_000)]
    pub radius: Option<f64>,
    /// At most this many POIs (default 20, at most 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// Only these kinds (`heritage`, `fauna`, `flora`, `landscape`, `viewpoint`,
    /// `lodging`, `food`, `practical`…); repeatable.
    #[param(value_type = Option<Vec<String>>, max_items = 20)]
    pub kind: Vec<PoiKind>,
    /// Language of the names (`fr`, `en`; default from `Accept-Language`, else French).
    pub lang: Option<String>,
}

fn nearby_query(raw: Option<&str>, headers: &HeaderMap) -> ApiResult<NearbyQuery> {
    let p = Params::parse(raw)?;
    p.only(&["lon", "lat", "radius", "limit", "kind", "lang"])?;
    let lon = p
        .get::<f64>("lon")?
        .ok_or_else(|| ApiError::BadRequest("`lon` is required".into()))?;
    let lat = p
        .get::<f64>("lat")?
        .ok_or_else(|| ApiError::BadRequest("`lat` is required".into()))?;
    Ok(NearbyQuery {
        at: LonLat::new(lon, lat).map_err(|e| ApiError::BadRequest(e.to_string()))?,
        radius_m: p.number("radius", 0.0..=MAX_RADIUS_M, DEFAULT_RADIUS_M)?,
        limit: p.number("limit", 1.0..=MAX_LIMIT as f64, DEFAULT_LIMIT as f64)? as usize,
        kinds: p.all("kind")?,
        lang: lang::pick(p.text("lang"), headers)?,
    })
}

/// POIs around a place, nearest first, answered from the in-memory index.
#[utoipa::path(get, path = "/api/v1/pois/nearby", tag = "pois", operation_id = "pois_nearby",
    params(NearbyParams, AcceptLanguage),
    responses((status = 200, description = "The POIs within the radius, nearest first", body = NearbyCollection, links(
                  ("nearest" = (operation_id = "poi", parameters(("id" = "$response.body#/features/0/id")),
                      description = "The nearest POI")))),
              (status = 400, response = BadRequest)))]
pub async fn nearby(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let body = app.nearby(&nearby_query(raw.as_deref(), &headers)?)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// One POI with its content.
#[utoipa::path(get, path = "/api/v1/pois/{id}", tag = "pois", operation_id = "poi",
    params(("id" = String, Path, description = "POI id"),
           ("lang" = Option<String>, Query, description = "Language of the texts (`fr`, `en`; default from `Accept-Language`, else French)"),
           AcceptLanguage),
    responses((status = 200, description = "The POI with its content and media", body = PoiFeature, links(
                  ("first_media" = (operation_id = "media_file", parameters(
                      ("id" = "$response.body#/properties/media/0/id"),
                      ("file" = "{$response.body#/properties/media/0/sizes/0/width}.jpg")),
                      description = "The narrowest file of the POI's first photo")))),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn one(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Json<PoiFeature>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    Ok(Json(app.poi(&id, lang).await?))
}
