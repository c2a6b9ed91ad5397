//! Species observed around a place or along a circuit, from the public grid aggregates
//! only: no answer ever holds an observation's position.

use super::Path;
use crate::error::{ApiError, ApiResult, BadRequest, NotFound};
use crate::query::Params;
use axum::Json;
use axum::extract::{RawQuery, State};
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
#[utoipa::path(get, path = "/api/v1/species", tag = "species", operation_id = "species_near",
    params(("near" = String, Query, description = "`lon,lat`, WGS84", example = "2.6,48.4"),
        ("radius" = Option<f64>, Query, description = "Metres (default 1000, at most 50000)", minimum = 0, maximum = 50_000),
        ("limit" = Option<usize>, Query, description = "Taxa listed at most (default 100, at most 1000)", minimum = 1, maximum = 1_000),
        ("lang" = Option<String>, Query, description = "Accepted for symmetry; names are as the source gives them")),
    responses((status = 200, description = "The taxa seen around the place, most observed first", body = SpeciesList),
              (status = 400, response = BadRequest)))]
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
    Ok(Json(app.species_near(at, radius, limit).await?))
}

/// Species observed along a circuit (within 500 m of its trace), most observed first.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/species", tag = "species", operation_id = "circuit_species",
    params(("id" = String, Path, description = "Circuit id")),
    responses((status = 200, description = "The taxa seen along the circuit, most observed first", body = SpeciesList),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn along(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<SpeciesList>> {
    Ok(Json(app.species_along(&id).await?))
}
