//! Species observed around a place or along a circuit, from the public grid aggregates
//! only: no answer ever holds an observation's position, only the codes of the grid
//! cells it was counted in (1 km, 10 km for taxa of the strictest sensitivity).

use crate::catalog::SharedCatalog;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::query::Params;
use crate::routes::circuits::load;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use balade_core::species::SpeciesSeen;
use balade_core::{LonLat, Sensitivity};
use serde::Serialize;
use utoipa::ToSchema;

pub const DEFAULT_RADIUS_M: f64 = 1_000.0;
pub const MAX_RADIUS_M: f64 = 50_000.0;
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1_000;

/// One taxon as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Species {
    /// The taxon's key: its id in the source, else its scientific name.
    pub taxon: String,
    pub scientific_name: String,
    pub vernacular_name: Option<String>,
    /// birds, mammals, reptiles, amphibians, fish, insects, spiders, molluscs,
    /// other_animals, plants, mosses, fungi, lichens or other.
    pub group: &'static str,
    pub rank: Option<String>,
    pub family: Option<String>,
    /// Months it was seen, 1–12.
    pub months: Vec<u8>,
    pub observations: u64,
    /// Listed as sensitive: shown only through coarse cells.
    pub sensitive: bool,
    /// Codes of the Lambert 93 grid cells it was counted in, e.g. `1kmE652N6855`.
    pub cells: Vec<String>,
}

impl Species {
    pub fn of(s: &SpeciesSeen) -> Self {
        Self {
            taxon: s.taxon.key.clone(),
            scientific_name: s.taxon.scientific_name.clone(),
            vernacular_name: s.taxon.vernacular_name.clone(),
            group: s.taxon.group(),
            rank: s.taxon.rank.clone(),
            family: s.taxon.family.clone(),
            months: s.month_numbers(),
            observations: s.observations,
            sensitive: s.sensitivity != Sensitivity::Normal,
            cells: s.cells.iter().cloned().collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpeciesList {
    /// Taxa found, before `limit`.
    pub total: usize,
    /// Most observed first.
    pub species: Vec<Species>,
}

/// Species observed around a place (`near=lon,lat`, `radius` in metres, default 1000,
/// at most 50000), most observed first.
#[utoipa::path(get, path = "/api/v1/species", tag = "species",
    params(("near" = String, Query, description = "lon,lat"),
        ("radius" = Option<f64>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = SpeciesList), (status = 400, body = ErrorBody)))]
pub async fn near(
    State(catalog): State<SharedCatalog>,
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
    let seen = catalog.current().species.near(at, radius);
    Ok(Json(list(&seen, limit)))
}

/// Species observed along a circuit (within 500 m of its trace), most observed first.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/species", tag = "species",
    params(("id" = String, Path)),
    responses((status = 200, body = SpeciesList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn along(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<SpeciesList>> {
    let circuit = load(state.store.as_ref(), &id).await?;
    let seen = state.catalog.current().species.along(&circuit.trace);
    Ok(Json(list(&seen, MAX_LIMIT)))
}

pub fn list(seen: &[SpeciesSeen], limit: usize) -> SpeciesList {
    SpeciesList {
        total: seen.len(),
        species: seen.iter().take(limit).map(Species::of).collect(),
    }
}

fn parse_lonlat(text: &str) -> ApiResult<LonLat> {
    let bad = || ApiError::BadRequest(format!("`near`: `{text}` is not lon,lat"));
    let (lon, lat) = text.split_once(',').ok_or_else(bad)?;
    let (lon, lat) = (
        lon.trim().parse::<f64>().map_err(|_| bad())?,
        lat.trim().parse::<f64>().map_err(|_| bad())?,
    );
    LonLat::new(lon, lat).map_err(|e| ApiError::BadRequest(format!("`near`: {e}")))
}
