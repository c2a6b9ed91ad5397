//! POIs as GeoJSON: one POI with its content, and the nearby list (the guide's hot
//! path: answers borrow from the catalogue and are written into one buffer).

use super::media::{MediaItem, item as media_item};
use super::{PointGeometry, json, round1};
use crate::AppResult;
use crate::catalog::Catalog;
use balade_core::{LonLat, Media, Poi, PoiDetails, PoiKind};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PoiProperties {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    #[schema(required = true)]
    pub elevation_m: Option<f64>,
    /// The circuit whose file brought this POI.
    #[schema(required = true)]
    pub circuit: Option<String>,
    #[schema(required = true)]
    pub commune: Option<String>,
    #[schema(required = true)]
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
    #[schema(required = true)]
    pub geometry: Option<PointGeometry>,
    pub properties: PoiProperties,
}

/// What `GET /api/v1/pois/{id}` answers for a POI (already in its language).
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

/// What is near a place.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyQuery {
    pub at: LonLat,
    pub radius_m: f64,
    pub limit: usize,
    /// Only these kinds (all when empty).
    pub kinds: Vec<PoiKind>,
    pub lang: &'static str,
}

/// The nearby answer as JSON, nearest first, from the in-memory index.
pub fn nearby_json(catalog: &Catalog, q: &NearbyQuery) -> AppResult<Vec<u8>> {
    let index = catalog.index();
    let hits = index.nearby_pois(q.at, q.radius_m, q.limit, &q.kinds);
    let mut buf = Vec::with_capacity(64 + 224 * hits.len());
    write_nearby(
        &mut buf,
        hits.iter().map(|h| NearbyRow {
            id: h.item.id.as_str(),
            name: h.item.name_in(q.lang),
            kind: h.item.kind.as_str(),
            pos: h.item.pos,
            distance_m: h.distance_m,
        }),
    );
    Ok(buf)
}

/// What one nearby feature shows.
struct NearbyRow<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'static str,
    pos: LonLat,
    distance_m: f64,
}

/// Writes the bytes serde gives a [`NearbyCollection`], with no value built per feature.
fn write_nearby<'a>(buf: &mut Vec<u8>, rows: impl Iterator<Item = NearbyRow<'a>>) {
    buf.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    for (i, row) in rows.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(br#"{"type":"Feature","id":"#);
        json::text(buf, row.id);
        buf.extend_from_slice(br#","geometry":"#);
        json::point(buf, row.pos);
        buf.extend_from_slice(br#","properties":{"id":"#);
        json::text(buf, row.id);
        buf.extend_from_slice(br#","name":"#);
        json::text(buf, row.name);
        buf.extend_from_slice(br#","kind":"#);
        json::text(buf, row.kind);
        buf.extend_from_slice(br#","distance_m":"#);
        json::number(buf, round1(row.distance_m));
        buf.extend_from_slice(b"}}");
    }
    buf.extend_from_slice(b"]}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearby_writer_gives_the_bytes_serde_gives() {
        let names = [
            "Lavoir",
            "",
            "Moulin \"du Roy\"",
            "back\\slash",
            "ligne\nsuivante\t\u{1}",
            "Église Saint-Étienne 🌳",
            "</script><b>",
        ];
        let kinds = PoiKind::ALL;
        let rows: Vec<(String, &str, PoiKind, LonLat, f64)> = (0..names.len() * 3)
            .map(|i| {
                let pos = LonLat::new(2.0 + i as f64 * 0.123_456_789, 48.5 - i as f64 / 7.0)
                    .expect("valid");
                let distance = [0.0, 0.04, 12.35, 1_999.96, 1e-9][i % 5] + i as f64 / 3.0;
                (
                    format!("p-{i}"),
                    names[i % names.len()],
                    kinds[i % kinds.len()],
                    pos,
                    distance,
                )
            })
            .collect();
        for n in [0, 1, rows.len()] {
            let mut ours = Vec::new();
            write_nearby(
                &mut ours,
                rows[..n].iter().map(|(id, name, kind, pos, d)| NearbyRow {
                    id,
                    name,
                    kind: kind.as_str(),
                    pos: *pos,
                    distance_m: *d,
                }),
            );
            let theirs = serde_json::to_vec(&NearbyCollection {
                kind: "FeatureCollection",
                features: rows[..n]
                    .iter()
                    .map(|(id, name, kind, pos, d)| NearbyFeature {
                        kind: "Feature",
                        id,
                        geometry: PointGeometry::of(*pos),
                        properties: NearbyProperties {
                            id,
                            name,
                            kind: kind.as_str(),
                            distance_m: round1(*d),
                        },
                    })
                    .collect(),
            })
            .expect("encoded");
            assert_eq!(
                String::from_utf8(ours).expect("text"),
                String::from_utf8(theirs).expect("text")
            );
        }
    }
}
