//! Well-Known Binary for the geometries Balade stores in PostGIS: points and
//! multi-linestrings, two-dimensional, little-endian. Geometries cross the wire as
//! `bytea` in this format (`ST_GeomFromWKB` in, `ST_AsBinary` out), so no text
//! formatting of coordinates can lose precision on the way.

use super::{StoreError, StoreResult};
use crate::domain::{LonLat, Trace};

const LITTLE_ENDIAN: u8 = 1;
const POINT: u32 = 1;
const LINE_STRING: u32 = 2;
const MULTI_LINE_STRING: u32 = 5;

fn header(out: &mut Vec<u8>, kind: u32) {
    out.push(LITTLE_ENDIAN);
    out.extend_from_slice(&kind.to_le_bytes());
}

fn coords(out: &mut Vec<u8>, p: LonLat) {
    out.extend_from_slice(&p.lon().to_le_bytes());
    out.extend_from_slice(&p.lat().to_le_bytes());
}

pub fn point(p: LonLat) -> Vec<u8> {
    let mut out = Vec::with_capacity(21);
    header(&mut out, POINT);
    coords(&mut out, p);
    out
}

/// The trace's segments of two points or more; `None` when it has none (a line needs two).
pub fn multi_line_string(trace: &Trace) -> Option<Vec<u8>> {
    let lines: Vec<_> = trace.segments.iter().filter(|s| s.len() >= 2).collect();
    if lines.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(9 + lines.iter().map(|l| 9 + 16 * l.len()).sum::<usize>());
    header(&mut out, MULTI_LINE_STRING);
    out.extend_from_slice(&(lines.len() as u32).to_le_bytes());
    for line in lines {
        header(&mut out, LINE_STRING);
        out.extend_from_slice(&(line.len() as u32).to_le_bytes());
        for p in line {
            coords(&mut out, p.pos);
        }
    }
    Some(out)
}

const POLYGON: u32 = 3;
const MULTI_POLYGON: u32 = 6;

/// Polygons as a MultiPolygon; rings are closed here if the source left them open, as
/// PostGIS requires.
pub fn multi_polygon(polygons: &[Vec<Vec<LonLat>>]) -> Vec<u8> {
    let mut out = Vec::new();
    header(&mut out, MULTI_POLYGON);
    out.extend_from_slice(&(polygons.len() as u32).to_le_bytes());
    for rings in polygons {
        header(&mut out, POLYGON);
        out.extend_from_slice(&(rings.len() as u32).to_le_bytes());
        for ring in rings {
            let closed = ring.len() > 1 && ring.first() == ring.last();
            let n = ring.len() + usize::from(!closed && !ring.is_empty());
            out.extend_from_slice(&(n as u32).to_le_bytes());
            for p in ring {
                coords(&mut out, *p);
            }
            if let (false, Some(first)) = (closed, ring.first()) {
                coords(&mut out, *first);
            }
        }
    }
    out
}

/// A 2-D point, in either byte order.
pub fn read_point(bytes: &[u8]) -> StoreResult<LonLat> {
    let bad = |why: &str| StoreError::Corrupt(format!("WKB point: {why}"));
    let (&order, rest) = bytes.split_first().ok_or_else(|| bad("empty"))?;
    let word = |b: &[u8]| -> [u8; 4] { [b[0], b[1], b[2], b[3]] };
    let float = |b: &[u8]| -> [u8; 8] { [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]] };
    if rest.len() != 20 {
        return Err(bad("not a 2-D point"));
    }
    let (kind, x, y) = match order {
        1 => (
            u32::from_le_bytes(word(rest)),
            f64::from_le_bytes(float(&rest[4..])),
            f64::from_le_bytes(float(&rest[12..])),
        ),
        0 => (
            u32::from_be_bytes(word(rest)),
            f64::from_be_bytes(float(&rest[4..])),
            f64::from_be_bytes(float(&rest[12..])),
        ),
        _ => return Err(bad("unknown byte order")),
    };
    if kind != POINT {
        return Err(bad("not a point"));
    }
    LonLat::new(x, y).map_err(|e| bad(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TracePoint;

    #[test]
    fn point_round_trip_is_exact() {
        let p = LonLat::new(2.696_969_696_969_697, 48.404_040_404_040_41).unwrap();
        let bytes = point(p);
        assert_eq!(bytes.len(), 21);
        assert_eq!(&bytes[..5], &[1, 1, 0, 0, 0]);
        assert_eq!(read_point(&bytes).unwrap(), p);
    }

    #[test]
    fn reads_big_endian_and_refuses_garbage() {
        let mut be = vec![0, 0, 0, 0, 1];
        be.extend_from_slice(&3.5f64.to_be_bytes());
        be.extend_from_slice(&(-45.25f64).to_be_bytes());
        assert_eq!(read_point(&be).unwrap(), LonLat::new(3.5, -45.25).unwrap());
        assert!(read_point(&[]).is_err());
        assert!(read_point(&[1, 2, 0, 0, 0]).is_err());
        let mut far = vec![1, 1, 0, 0, 0];
        far.extend_from_slice(&0.0f64.to_le_bytes());
        far.extend_from_slice(&95.0f64.to_le_bytes());
        assert!(read_point(&far).is_err());
    }

    #[test]
    fn multi_polygon_closes_rings() {
        let ll = |lon, lat| LonLat::new(lon, lat).unwrap();
        let open = vec![ll(0.0, 0.0), ll(1.0, 0.0), ll(1.0, 1.0)];
        let b = multi_polygon(&[vec![open]]);
        // Header, 1 polygon; polygon header, 1 ring; 4 points (closed).
        assert_eq!(b.len(), 9 + 9 + 4 + 4 * 16);
        assert_eq!(u32::from_le_bytes([b[18], b[19], b[20], b[21]]), 4);
        assert_eq!(
            &b[22..38],
            &b[22 + 48..22 + 64],
            "last point repeats the first"
        );
    }

    #[test]
    fn multi_line_string_layout() {
        let p = |lon| TracePoint {
            pos: LonLat::new(lon, 48.0).unwrap(),
            ele: Some(1.0),
        };
        let t = Trace {
            segments: vec![
                vec![p(1.0), p(2.0)],
                vec![p(3.0)],
                vec![p(4.0), p(5.0), p(6.0)],
            ],
        };
        let b = multi_line_string(&t).unwrap();
        // Header, count 2, then two linestrings of 2 and 3 points; the 1-point segment is left out.
        assert_eq!(b.len(), 9 + (9 + 2 * 16) + (9 + 3 * 16));
        assert_eq!(u32::from_le_bytes([b[5], b[6], b[7], b[8]]), 2);
        assert!(
            multi_line_string(&Trace {
                segments: vec![vec![p(1.0)]]
            })
            .is_none()
        );
    }
}
