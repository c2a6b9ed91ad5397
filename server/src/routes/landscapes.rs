//! Landscape units: which ones a place lies in, and one unit's shape and text.

use super::Path;
use crate::error::{ApiError, ApiResult, BadRequest, NotFound};
use crate::query::Params;
use axum::Json;
use axum::extract::{RawQuery, State};
use balade_app::App;
use balade_app::views::landscape::{LandscapeCollection, LandscapeFeature};
use balade_core::LonLat;
use std::sync::Arc;

/// Units per page unless `limit` says, and at most: each may carry thousands of vertices.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// The units a place lies in (`lon` and `lat`), or every unit without them, a page at a
/// time (`limit`, default 20, at most 100; `offset`); `total` counts them all.
#[utoipa::path(get, path = "/api/v1/landscapes", tag = "landscapes", operation_id = "list_landscapes",
    params(("lon" = Option<f64>, Query, description = "Longitude, WGS84 (with `lat`)", minimum = -180, maximum = 180),
           ("lat" = Option<f64>, Query, description = "Latitude, WGS84 (with `lon`)", minimum = -90, maximum = 90),
           ("limit" = Option<usize>, Query, description = "Units per page (default 20, at most 100)", minimum = 1, maximum = 100),
           ("offset" = Option<usize>, Query, description = "Units skipped first", maximum = 1_000_000_000),
           ("lang" = Option<String>, Query, description = "Accepted for symmetry; units have one text")),
    responses((status = 200, description = "The units, a page of them", body = LandscapeCollection),
              (status = 400, response = BadRequest)))]
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
#[utoipa::path(get, path = "/api/v1/landscapes/{id}", tag = "landscapes", operation_id = "landscape",
    params(("id" = String, Path, description = "Landscape unit id")),
    responses((status = 200, description = "The unit with its shape", body = LandscapeFeature),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn one(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<LandscapeFeature>> {
    Ok(Json(app.landscape(&id)?))
}
