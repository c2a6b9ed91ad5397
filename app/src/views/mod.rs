//! The JSON shapes clients receive for POIs, media, landscape units and species: one
//! place, since an offline package must hold exactly what each endpoint answers.

pub mod json;
pub mod landscape;
pub mod media;
pub mod poi;
pub mod species;

use balade_core::LonLat;
use serde::Serialize;
use utoipa::ToSchema;

/// A GeoJSON point.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `[lon, lat]`, WGS84.
    pub coordinates: [f64; 2],
}

impl PointGeometry {
    pub fn of(p: LonLat) -> Self {
        Self {
            kind: "Point",
            coordinates: [p.lon(), p.lat()],
        }
    }
}

/// Metres to the decimetre: what answers show of distances and elevations.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
