//! Encodings shared by the backends for values stored as text: traces, string lists and
//! POI details.

use super::{StoreError, StoreResult};
use crate::domain::{LonLat, Observation, PoiDetails, Trace, TracePoint};

/// `[[[lon, lat, ele?], …], …]`, one array per segment, elevation omitted when unknown.
pub fn encode_trace(trace: &Trace) -> String {
    let segments: Vec<Vec<Vec<f64>>> = trace
        .segments
        .iter()
        .map(|seg| {
            seg.iter()
                .map(|p| {
                    let mut v = vec![p.pos.lon(), p.pos.lat()];
                    v.extend(p.ele);
                    v
                })
                .collect()
        })
        .collect();
    serde_json::Value::from(segments).to_string()
}

pub fn decode_trace(text: &str) -> StoreResult<Trace> {
    let raw: Vec<Vec<Vec<f64>>> =
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("trace: {e}")))?;
    let segments = raw
        .into_iter()
        .map(|seg| {
            seg.into_iter()
                .map(|v| match v.as_slice() {
                    [lon, lat, rest @ ..] if rest.len() <= 1 => Ok(TracePoint {
                        pos: LonLat::new(*lon, *lat)
                            .map_err(|e| StoreError::Corrupt(format!("trace: {e}")))?,
                        ele: rest.first().copied(),
                    }),
                    _ => Err(StoreError::Corrupt(format!("trace point {v:?}"))),
                })
                .collect()
        })
        .collect::<StoreResult<_>>()?;
    Ok(Trace { segments })
}

/// `[[[[lon, lat], …], …], …]`: polygons, each its rings.
pub fn encode_polygons(polygons: &[Vec<Vec<LonLat>>]) -> String {
    let raw: Vec<Vec<Vec<[f64; 2]>>> = polygons
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|ring| ring.iter().map(|p| [p.lon(), p.lat()]).collect())
                .collect()
        })
        .collect();
    serde_json::to_string(&raw).unwrap_or_else(|_| "[]".to_owned())
}

pub fn decode_polygons(text: &str) -> StoreResult<Vec<Vec<Vec<LonLat>>>> {
    let raw: Vec<Vec<Vec<[f64; 2]>>> =
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("polygons: {e}")))?;
    raw.into_iter()
        .map(|rings| {
            rings
                .into_iter()
                .map(|ring| {
                    ring.into_iter()
                        .map(|[lon, lat]| {
                            LonLat::new(lon, lat)
                                .map_err(|e| StoreError::Corrupt(format!("polygons: {e}")))
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

pub fn encode_list<S: AsRef<str>>(items: &[S]) -> String {
    serde_json::Value::from(items.iter().map(AsRef::as_ref).collect::<Vec<&str>>()).to_string()
}

pub fn decode_list(text: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("list: {e}")))
}

/// A POI's details as a JSON object, empty fields left out.
pub fn encode_details(details: &PoiDetails) -> String {
    // Strings and a string map only: serialising cannot fail.
    serde_json::to_string(details).unwrap_or_else(|_| "{}".to_owned())
}

/// The 1 km Lambert 93 cell of an observation (a position the projection cannot take,
/// far outside France, lands in a cell no French place ever asks for).
pub fn observation_cell(o: &Observation) -> (i32, i32) {
    crate::projection::to_lambert93(o.pos)
        .map(|(x, y)| crate::species::cell_of(x, y, 1_000))
        .unwrap_or((i32::MIN, i32::MIN))
}

/// A batch of observations as two JSON arrays of positional rows, for one statement
/// each: the taxa to write `[key, scientific, vernacular, rank, kingdom, phylum, class,
/// order, family, genus, ids]`, and the observations `[source, taxon, start, end, months,
/// lon, lat, cell_x, cell_y, uncertainty, count, basis, license]`. The cell is the
/// 1 km Lambert 93 cell of the position.
pub fn observation_rows(
    observations: &[Observation],
    taxa: &[&std::sync::Arc<crate::domain::Taxon>],
) -> (String, String) {
    use serde_json::json;
    let taxa: Vec<serde_json::Value> = taxa
        .iter()
        .map(|t| {
            json!([
                t.key,
                t.scientific_name,
                t.vernacular_name,
                t.rank,
                t.kingdom,
                t.phylum,
                t.class,
                t.order,
                t.family,
                t.genus,
                encode_list(&t.ids)
            ])
        })
        .collect();
    let mut rows = Vec::with_capacity(observations.len());
    for o in observations {
        let t = &o.taxon;
        let (cx, cy) = observation_cell(o);
        rows.push(json!([
            o.source,
            t.key,
            o.event_start,
            o.event_end,
            o.months,
            o.pos.lon(),
            o.pos.lat(),
            cx,
            cy,
            o.uncertainty_m,
            o.count,
            o.basis_of_record,
            o.license,
            crate::record::RecordRef::Observation(o).digest() as i64
        ]));
    }
    (
        serde_json::Value::from(taxa).to_string(),
        serde_json::Value::from(rows).to_string(),
    )
}

/// A serialisable value as JSON text (strings and maps only: cannot fail).
pub fn encode_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_round_trip_keeps_missing_elevations() {
        let p = |lon, ele| TracePoint {
            pos: LonLat::new(lon, 48.5).unwrap(),
            ele,
        };
        let t = Trace {
            segments: vec![
                vec![p(2.5, Some(80.5)), p(2.6, None)],
                vec![p(2.7, Some(-3.0))],
            ],
        };
        assert_eq!(decode_trace(&encode_trace(&t)).unwrap(), t);
        assert!(decode_trace("[[[200, 1]]]").is_err());
        assert!(decode_trace("[[[1]]]").is_err());
    }
}
