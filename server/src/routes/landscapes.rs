//! Landscape units: which ones a place lies in, and one unit's shape and text.

use crate::catalog::SharedCatalog;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::query::Params;
use crate::routes::parse_id;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use balade_core::{Area, Landscape, LandscapeId, LonLat};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct LandscapeProperties {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// A unit as GeoJSON: a `MultiPolygon` of `[lon, lat]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LandscapeFeature {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub properties: LandscapeProperties,
}

pub fn feature_of(l: &Landscape) -> LandscapeFeature {
    let polygons: Vec<Vec<Vec<[f64; 2]>>> = l
        .polygons
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|ring| ring.iter().map(|p| [p.lon(), p.lat()]).collect())
                .collect()
        })
        .collect();
    LandscapeFeature {
        kind: "Feature",
        id: l.id.to_string(),
        geometry: serde_json::json!({ "type": "MultiPolygon", "coordinates": polygons }),
        properties: LandscapeProperties {
            id: l.id.to_string(),
            name: l.name.clone(),
            description: l.description.clone(),
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LandscapeCollection {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub features: Vec<LandscapeFeature>,
}

/// The units a place lies in (`lon` and `lat`), or every unit without them.
#[utoipa::path(get, path = "/api/v1/landscapes", tag = "landscapes",
    params(("lon" = Option<f64>, Query), ("lat" = Option<f64>, Query)),
    responses((status = 200, body = LandscapeCollection), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(catalog): State<SharedCatalog>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<LandscapeCollection>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lon", "lat", "lang"])?;
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
    let catalog = catalog.current();
    let features = catalog
        .landscapes
        .iter()
        .filter(|l| at.is_none_or(|p| l.contains(p)))
        .map(feature_of)
        .collect();
    Ok(Json(LandscapeCollection {
        kind: "FeatureCollection",
        features,
    }))
}

/// One landscape unit with its shape and text.
#[utoipa::path(get, path = "/api/v1/landscapes/{id}", tag = "landscapes",
    params(("id" = String, Path)),
    responses((status = 200, body = LandscapeFeature), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(catalog): State<SharedCatalog>,
    Path(id): Path<String>,
) -> ApiResult<Json<LandscapeFeature>> {
    let id: LandscapeId = parse_id(&id)?;
    let catalog = catalog.current();
    let unit = catalog
        .landscapes
        .iter()
        .find(|l| l.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("no landscape unit `{id}`")))?;
    Ok(Json(feature_of(unit)))
}
