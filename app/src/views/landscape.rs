//! Landscape units as GeoJSON features.

use balade_core::Landscape;
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

#[derive(Debug, Serialize, ToSchema)]
pub struct LandscapeCollection {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// How many units match, before `limit` and `offset`.
    pub total: usize,
    pub features: Vec<LandscapeFeature>,
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
