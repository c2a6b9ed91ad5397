//! Species observed around a place or along a circuit, from the public grid aggregates
//! only: no answer ever holds an observation's position.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::query::Params;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use balade_app::App;
use balade_app::search::parse_lonlat;
use balade_app::views::species::SpeciesList;
use std::sync::Arc;

pub const DEFAULT_RADIUS_M: f64 = 1_000.0;
pub const MAX_RADIUS_M: f64 = 50_000.0;
pub const DEFAULT_LIMIT: usize = 100;
pub use balade_app::views::species::MAX_LIMIT;

/// Species observed around a place (`near=lon,lat`, `radius` in metres, default 1000,
/// at most 50000), most observed first.
#[utoipa::path(get, path = "/api/v1/species", tag = "species",
    params(("near" = String, Query, description = "lon,lat"),
        ("radius" = Option<f64>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = SpeciesList), (status = 400, body = ErrorBody)))]
pub async fn near(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SpeciesList>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["near", "radius", "limit", "lang"])?;
    let near = p
        .text("near")
        .ok_or_else(|| ApiError::BadRequest("`near` is required (lon,lat)".into()))?;
    let at = parse_lonlat(near)?;
    let radius = p.number("radius", 0.0..=MAX_RADIUS_M, DEFAULT_RADIUS_M)?;
    let limit = p.number("limit", 1.0..=MAX_LIMIT as f64, DEFAULT_LIMIT as f64)? as usize;
    Ok(Json(app.species_near(at, radius, limit)))
}

/// Species observed along a circuit (within 500 m of its trace), most observed first.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/species", tag = "species",
    params(("id" = String, Path)),
    responses((status = 200, body = SpeciesList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn along(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<SpeciesList>> {
    Ok(Json(app.species_along(&id).await?))
}
