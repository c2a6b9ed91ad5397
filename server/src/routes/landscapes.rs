//! Landscape units: which ones a place lies in, and one unit's shape and text.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::query::Params;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use balade_app::App;
use balade_app::views::landscape::{LandscapeCollection, LandscapeFeature};
use balade_core::LonLat;
use std::sync::Arc;

/// Units per page unless `limit` says, and at most: each may carry thousands of vertices.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// The units a place lies in (`lon` and `lat`), or every unit without them, a page at a
/// time (`limit`, default 20, at most 100; `offset`); `total` counts them all.
#[utoipa::path(get, path = "/api/v1/landscapes", tag = "landscapes",
    params(("lon" = Option<f64>, Query), ("lat" = Option<f64>, Query),
           ("limit" = Option<usize>, Query), ("offset" = Option<usize>, Query)),
    responses((status = 200, body = LandscapeCollection), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<LandscapeCollection>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lon", "lat", "lang", "limit", "offset"])?;
    let limit = p.number("limit", 1.0..=MAX_LIMIT as f64, DEFAULT_LIMIT as f64)? as usize;
    let offset = p.number("offset", 0.0..=1e9, 0.0)? as usize;
    let at = match (p.get::<f64>("lon")?, p.get::<f64>("lat")?) {
        (Some(lon), Some(lat)) => {
            Some(LonLat::new(lon, lat).map_err(|e| ApiError::BadRequest(e.to_string()))?)
        }
        (None, None) => None,
        _ => {
            return Err(ApiError::BadRequest(
                "give both `lon` and `lat`, or neither".into(),
            ));
        }
    };
    Ok(Json(app.landscapes(at, limit, offset)))
}

/// One landscape unit with its shape and text.
#[utoipa::path(get, path = "/api/v1/landscapes/{id}", tag = "landscapes",
    params(("id" = String, Path)),
    responses((status = 200, body = LandscapeFeature), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<LandscapeFeature>> {
    Ok(Json(app.landscape(&id)?))
}
