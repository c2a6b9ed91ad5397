//! The in-memory spatial index: R-trees of POIs and circuit starts, built from the store.
//!
//! Points are kept as 3-D Earth-centred coordinates on the WGS84 ellipsoid, in metres.
//! The straight-line (chord) distance between two surface points differs from the
//! geodesic by less than d³/(24 R²): 1 mm at 10 km, 13 cm at 50 km. Nearest-first order
//! and radius tests are therefore exact for walking distances, with no projection and no
//! seam at any meridian, and distances come out of the tree without a geodesic solve.

use crate::corridor::Corridors;
use crate::domain::{CircuitId, LonLat, PoiId, PoiKind, PoiPoint, Trace};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use std::collections::{HashMap, HashSet};

type Entry = GeomWithData<[f64; 3], u32>;

const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;
const MEAN_RADIUS_M: f64 = 6_371_008.8;

/// Earth-centred, Earth-fixed coordinates of a point on the ellipsoid surface.
pub fn ecef(p: LonLat) -> [f64; 3] {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let (lat, lon) = (p.lat().to_radians(), p.lon().to_radians());
    let n = WGS84_A / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    [
        n * lat.cos() * lon.cos(),
        n * lat.cos() * lon.sin(),
        n * (1.0 - e2) * lat.sin(),
    ]
}

/// An id's print for [`SpatialIndex::update_pois`]'s scan (equal ids, equal prints).
fn print(id: &PoiId) -> u32 {
    let mut h = crate::hash::Fnv::new();
    h.bytes(id.as_str().as_bytes());
    let h = h.finish();
    (h ^ (h >> 32)) as u32
}

/// Surface distance from a chord length: the arc on a sphere of mean radius, which
/// brings the chord within millimetres of the geodesic at walking ranges.
fn chord_to_arc(chord_m: f64) -> f64 {
    chord_m + chord_m.powi(3) / (24.0 * MEAN_RADIUS_M * MEAN_RADIUS_M)
}

/// Chord length for a surface distance (inverse of [`chord_to_arc`], to first order).
fn arc_to_chord(arc_m: f64) -> f64 {
    arc_m - arc_m.powi(3) / (24.0 * MEAN_RADIUS_M * MEAN_RADIUS_M)
}

/// One hit of a nearby query.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a, T> {
    pub item: &'a T,
    pub distance_m: f64,
}

/// Circuit start, as indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitStart {
    pub id: CircuitId,
    pub pos: LonLat,
}

/// R-trees of POIs and circuit starts. Built whole at start; then followed by the
/// records each change touched ([`SpatialIndex::update_pois`],
/// [`SpatialIndex::update_starts`]). A POI or a start removed or moved leaves its old
/// item behind, out of the tree (a whole rebuild drops them).
#[derive(Debug, Default)]
pub struct SpatialIndex {
    pois: RTree<Entry>,
    poi_items: Vec<PoiPoint>,
    /// A 32-bit print of each item's id, by slot: following an edit scans these 4 bytes
    /// a POI instead of hashing every id of the catalogue.
    poi_prints: Vec<u32>,
    starts: RTree<Entry>,
    start_items: Vec<CircuitStart>,
}

impl SpatialIndex {
    pub fn build(pois: Vec<PoiPoint>, starts: Vec<CircuitStart>) -> Self {
        let pois_tree = RTree::bulk_load(entries(pois.iter().map(|p| p.pos)));
        let starts_tree = RTree::bulk_load(entries(starts.iter().map(|s| s.pos)));
        Self {
            pois: pois_tree,
            poi_prints: pois.iter().map(|p| print(&p.id)).collect(),
            poi_items: pois,
            starts: starts_tree,
            start_items: starts,
        }
    }

    /// POIs in the tree.
    pub fn poi_count(&self) -> usize {
        self.pois.size()
    }

    /// Takes the POIs of `ids` out of the tree, then puts `points` in (those of `ids` that
    /// are still to be found, and new ones): one pass over the items, then a removal or
    /// an insertion of `log n` each.
    pub fn update_pois(&mut self, ids: &HashSet<PoiId>, points: Vec<PoiPoint>) {
        if !ids.is_empty() {
            let mut wanted: Vec<u32> = ids.iter().map(print).collect();
            wanted.sort_unstable();
            let gone: Vec<Entry> = (self.poi_prints.iter().enumerate())
                .filter(|(_, p)| wanted.binary_search(p).is_ok())
                .map(|(i, _)| (i, &self.poi_items[i]))
                .filter(|(_, p)| ids.contains(&p.id))
                .map(|(i, p)| GeomWithData::new(ecef(p.pos), i as u32))
                .collect();
            for entry in &gone {
                self.pois.remove(entry);
            }
        }
        for p in points {
            let slot = self.poi_items.len() as u32;
            self.pois.insert(GeomWithData::new(ecef(p.pos), slot));
            self.poi_prints.push(print(&p.id));
            self.poi_items.push(p);
        }
    }

    /// Replaces every circuit start.
    pub fn replace_starts(&mut self, starts: Vec<CircuitStart>) {
        self.starts = RTree::bulk_load(entries(starts.iter().map(|s| s.pos)));
        self.start_items = starts;
    }

    /// Takes the starts of circuits `ids` out of the tree, then puts `starts` in (those
    /// of `ids` still published, and new ones), as [`SpatialIndex::update_pois`] does.
    pub fn update_starts(&mut self, ids: &HashSet<CircuitId>, starts: Vec<CircuitStart>) {
        let gone: Vec<Entry> = (self.start_items.iter().enumerate())
            .filter(|(_, s)| ids.contains(&s.id))
            .map(|(i, s)| GeomWithData::new(ecef(s.pos), i as u32))
            .collect();
        for entry in &gone {
            self.starts.remove(entry);
        }
        for s in starts {
            let slot = self.start_items.len() as u32;
            self.starts.insert(GeomWithData::new(ecef(s.pos), slot));
            self.start_items.push(s);
        }
    }

    /// POIs within `radius_m` of `center`, nearest first (ties by id), at most `limit`,
    /// optionally only of the given kinds.
    pub fn nearby_pois(
        &self,
        center: LonLat,
        radius_m: f64,
        limit: usize,
        kinds: &[PoiKind],
    ) -> Vec<Hit<'_, PoiPoint>> {
        let items = &self.poi_items;
        let mut hits: Vec<Hit<'_, PoiPoint>> = Vec::with_capacity(limit.min(1024) + 1);
        let found = nearest_within(&self.pois, center, radius_m)
            .map(|(i, distance_m)| Hit {
                item: &items[i as usize],
                distance_m,
            })
            .filter(|h| kinds.is_empty() || kinds.contains(&h.item.kind));
        // Records at one place come out of the tree in the order it was built in, which
        // differs between a server that loaded whole and one that followed the changes:
        // those tied with the last one kept are all taken, then ordered by id.
        for hit in found {
            if limit == 0 || hits.len() >= limit && hit.distance_m > hits[limit - 1].distance_m {
                break;
            }
            hits.push(hit);
        }
        if hits.len() > 1 {
            hits.sort_unstable_by(|a, b| {
                (a.distance_m.total_cmp(&b.distance_m)).then_with(|| a.item.id.cmp(&b.item.id))
            });
            hits.truncate(limit);
        }
        hits
    }

    /// POIs within `width_m` of a trace, with their distance to it, nearest first (ties
    /// by id). Each run of [`CORRIDOR_CHUNK`] segments is one box query; candidates are
    /// then measured against the segments' chords in 3-D, which sit within centimetres
    /// of the surface for segments of a few hundred metres.
    pub fn pois_along(&self, trace: &Trace, width_m: f64) -> Vec<Hit<'_, PoiPoint>> {
        let mut best: HashMap<u32, f64> = HashMap::new();
        let reach = arc_to_chord(width_m);
        for seg in &trace.segments {
            let pts: Vec<[f64; 3]> = seg.iter().map(|p| ecef(p.pos)).collect();
            if pts.len() == 1 {
                for (i, d) in nearest_within(&self.pois, seg[0].pos, width_m) {
                    keep_min(&mut best, i, d);
                }
                continue;
            }
            for start in (0..pts.len().saturating_sub(1)).step_by(CORRIDOR_CHUNK) {
                let chunk = &pts[start..(start + CORRIDOR_CHUNK + 1).min(pts.len())];
                let (mut lo, mut hi) = (chunk[0], chunk[0]);
                for p in chunk {
                    for k in 0..3 {
                        lo[k] = lo[k].min(p[k]);
                        hi[k] = hi[k].max(p[k]);
                    }
                }
                let envelope = AABB::from_corners(lo.map(|v| v - reach), hi.map(|v| v + reach));
                for entry in self.pois.locate_in_envelope_intersecting(&envelope) {
                    let p = entry.geom();
                    let d = chunk
                        .windows(2)
                        .map(|w| point_segment_distance(p, &w[0], &w[1]))
                        .fold(f64::INFINITY, f64::min);
                    if d <= reach {
                        keep_min(&mut best, entry.data, chord_to_arc(d));
                    }
                }
            }
        }
        let items = &self.poi_items;
        let mut hits: Vec<Hit<'_, PoiPoint>> = best
            .into_iter()
            .map(|(i, distance_m)| Hit {
                item: &items[i as usize],
                distance_m,
            })
            .collect();
        hits.sort_by(|a, b| {
            a.distance_m
                .total_cmp(&b.distance_m)
                .then_with(|| a.item.id.cmp(&b.item.id))
        });
        hits
    }

    /// POIs along a trace by their kind's corridor, with their distance to it, nearest
    /// first: one corridor query at the widest width, then each kind's own.
    pub fn along(&self, trace: &Trace, corridors: &Corridors) -> Vec<Hit<'_, PoiPoint>> {
        let mut hits = self.pois_along(trace, corridors.widest());
        hits.retain(|h| corridors.holds(h.item.kind, h.distance_m));
        hits
    }

    /// Circuits starting within `radius_m` of `center`, nearest first.
    pub fn nearby_starts(&self, center: LonLat, radius_m: f64) -> Vec<Hit<'_, CircuitStart>> {
        let items = &self.start_items;
        nearest_within(&self.starts, center, radius_m)
            .map(|(i, distance_m)| Hit {
                item: &items[i as usize],
                distance_m,
            })
            .collect()
    }
}

/// Segments per box query in [`SpatialIndex::pois_along`]: fewer, larger boxes cost less
/// than one box per segment on densely sampled traces.
pub const CORRIDOR_CHUNK: usize = 16;

fn keep_min(best: &mut HashMap<u32, f64>, i: u32, d: f64) {
    best.entry(i).and_modify(|v| *v = v.min(d)).or_insert(d);
}

fn point_segment_distance(p: &[f64; 3], a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let ap = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    let t = if len2 > 0.0 {
        ((ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = [a[0] + t * ab[0], a[1] + t * ab[1], a[2] + t * ab[2]];
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

fn entries(points: impl Iterator<Item = LonLat>) -> Vec<Entry> {
    points
        .enumerate()
        .map(|(i, p)| GeomWithData::new(ecef(p), i as u32))
        .collect()
}

fn nearest_within(
    tree: &RTree<Entry>,
    center: LonLat,
    radius_m: f64,
) -> impl Iterator<Item = (u32, f64)> + '_ {
    let max_chord2 = arc_to_chord(radius_m).powi(2);
    tree.nearest_neighbor_iter_with_distance_2(&ecef(center))
        .take_while(move |(_, d2)| *d2 <= max_chord2)
        .map(|(e, d2)| (e.data, chord_to_arc(d2.sqrt())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PoiId;
    use crate::geometry::distance_m;

    fn ll(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    fn poi(i: usize, lon: f64, lat: f64, kind: PoiKind) -> PoiPoint {
        PoiPoint {
            id: PoiId::new(format!("p{i}")).unwrap(),
            kind,
            name: format!("POI {i}"),
            pos: ll(lon, lat),
            names: Vec::new(),
        }
    }

    #[test]
    fn updates_take_out_exactly_the_touched_pois() {
        let pois: Vec<PoiPoint> = (0..2_000)
            .map(|i| {
                poi(
                    i,
                    2.7 + (i % 50) as f64 * 1e-3,
                    48.4 + (i / 50) as f64 * 1e-3,
                    PoiKind::Heritage,
                )
            })
            .collect();
        let mut index = SpatialIndex::build(pois, Vec::new());
        let here = ll(2.7, 48.4);
        assert_eq!(
            index.nearby_pois(here, 50.0, 5, &[])[0].item.id.as_str(),
            "p0"
        );
        // p0 moves away, p1 goes, p2000 comes; twice, so that stale items are met too.
        for _ in 0..2 {
            let touched: HashSet<PoiId> = ["p0", "p1", "p2000"]
                .into_iter()
                .map(|id| PoiId::new(id).unwrap())
                .collect();
            let moved = poi(0, 3.5, 49.0, PoiKind::Heritage);
            let new = poi(2000, 2.7, 48.4, PoiKind::Food);
            index.update_pois(&touched, vec![moved, new]);
            assert_eq!(index.poi_count(), 2_000);
            let near: Vec<&str> = (index.nearby_pois(here, 200.0, 4, &[]).iter())
                .map(|h| h.item.id.as_str())
                .collect();
            // 0 m, then 111 m north, 133 m north-east, 148 m east.
            assert_eq!(near, ["p2000", "p50", "p51", "p2"]);
            let far = index.nearby_pois(ll(3.5, 49.0), 10.0, 5, &[]);
            assert_eq!(far.len(), 1);
            assert_eq!(far[0].item.id.as_str(), "p0");
        }
    }

    #[test]
    fn updates_take_out_exactly_the_touched_starts() {
        let start = |id: &str, lon: f64| CircuitStart {
            id: CircuitId::new(id).unwrap(),
            pos: ll(lon, 48.4),
        };
        let starts: Vec<CircuitStart> = (0..100)
            .map(|i| start(&format!("c{i}"), 2.7 + i as f64 * 1e-3))
            .collect();
        let mut index = SpatialIndex::build(Vec::new(), starts);
        let ids = |index: &SpatialIndex, lon: f64| -> Vec<String> {
            (index.nearby_starts(ll(lon, 48.4), 150.0).iter())
                .map(|h| h.item.id.to_string())
                .collect()
        };
        assert_eq!(ids(&index, 2.7), ["c0", "c1", "c2"]);
        // c0 moves away, c1 goes, c100 comes; twice, so that stale items are met too.
        for _ in 0..2 {
            let touched: HashSet<CircuitId> = ["c0", "c1", "c100"]
                .into_iter()
                .map(|id| CircuitId::new(id).unwrap())
                .collect();
            index.update_starts(&touched, vec![start("c0", 3.5), start("c100", 2.7)]);
            assert_eq!(ids(&index, 2.7), ["c100", "c2"]);
            assert_eq!(ids(&index, 3.5), ["c0"]);
        }
    }

    #[test]
    fn chord_distance_matches_geodesic() {
        let a = ll(2.70, 48.40);
        for (lon, lat) in [
            (2.7001, 48.4),
            (2.71, 48.41),
            (2.9, 48.3),
            (3.3, 48.6),
            (2.0, 48.9),
        ] {
            let b = ll(lon, lat);
            let (ea, eb) = (ecef(a), ecef(b));
            let chord =
                ((ea[0] - eb[0]).powi(2) + (ea[1] - eb[1]).powi(2) + (ea[2] - eb[2]).powi(2))
                    .sqrt();
            let geodesic = distance_m(a, b);
            let err = (chord_to_arc(chord) - geodesic).abs();
            assert!(
                err < 0.01 + geodesic * 1e-6,
                "{lon},{lat}: {geodesic} vs {}",
                chord_to_arc(chord)
            );
        }
    }

    #[test]
    fn nearby_is_nearest_first_within_radius_and_filtered() {
        let pois = vec![
            poi(0, 2.7000, 48.4000, PoiKind::Heritage),
            poi(1, 2.7010, 48.4000, PoiKind::Food), // ~74 m east
            poi(2, 2.7000, 48.4020, PoiKind::Heritage), // ~222 m north
            poi(3, 2.8000, 48.4000, PoiKind::Heritage), // ~7.4 km east
        ];
        let index = SpatialIndex::build(pois, vec![]);
        let here = ll(2.7001, 48.4);
        let hits = index.nearby_pois(here, 500.0, 10, &[]);
        let ids: Vec<&str> = hits.iter().map(|h| h.item.id.as_str()).collect();
        assert_eq!(ids, ["p0", "p1", "p2"]);
        for h in &hits {
            assert!((h.distance_m - distance_m(here, h.item.pos)).abs() < 0.01);
        }
        let heritage = index.nearby_pois(here, 10_000.0, 10, &[PoiKind::Heritage]);
        let ids: Vec<&str> = heritage.iter().map(|h| h.item.id.as_str()).collect();
        assert_eq!(ids, ["p0", "p2", "p3"]);
        assert_eq!(index.nearby_pois(here, 10_000.0, 2, &[]).len(), 2);
        assert!(
            index
                .nearby_pois(ll(-1.0, 45.0), 1_000.0, 10, &[])
                .is_empty()
        );
    }

    #[test]
    fn pois_at_one_place_come_by_id_however_the_index_was_built() {
        // Twelve records at one place (notices placed at their commune's centre), one
        // nearer, one farther; built in two orders, and the second one updated.
        let mut pois: Vec<PoiPoint> = (0..12)
            .map(|i| poi(i, 2.7, 48.4, PoiKind::Heritage))
            .collect();
        pois.push(poi(12, 2.70001, 48.4, PoiKind::Heritage));
        pois.push(poi(13, 2.6999, 48.4, PoiKind::Heritage));
        let mut reversed = pois.clone();
        reversed.reverse();
        let here = ll(2.70002, 48.4);
        let ids = |index: &SpatialIndex, limit| -> Vec<String> {
            (index.nearby_pois(here, 100.0, limit, &[]).iter())
                .map(|h| h.item.id.to_string())
                .collect()
        };
        let built = SpatialIndex::build(pois.clone(), Vec::new());
        let mut followed = SpatialIndex::build(reversed, Vec::new());
        let moved: HashSet<PoiId> = pois[..6].iter().map(|p| p.id.clone()).collect();
        followed.update_pois(&moved, pois[..6].to_vec());
        let mut tied: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
        tied.sort();
        for index in [&built, &followed] {
            // The nearest, then the tied ones by id, cut at the limit among them.
            assert_eq!(ids(index, 5), [&["p12".to_owned()], &tied[..4]].concat());
            let all = ids(index, 20);
            assert_eq!(
                all,
                [&["p12".to_owned()], &tied[..], &["p13".to_owned()]].concat()
            );
            assert!(ids(index, 0).is_empty());
        }
    }

    #[test]
    fn works_across_the_antimeridian() {
        let index = SpatialIndex::build(vec![poi(0, 179.9999, 0.0, PoiKind::Viewpoint)], vec![]);
        let hits = index.nearby_pois(ll(-179.9999, 0.0), 100.0, 5, &[]);
        assert_eq!(hits.len(), 1);
        assert!(
            (hits[0].distance_m - 22.26).abs() < 0.1,
            "{}",
            hits[0].distance_m
        );
    }

    #[test]
    fn corridor_finds_pois_beside_the_trace_only() {
        use crate::domain::TracePoint;
        use crate::geometry::TraceLocator;
        // A 2 km east-going trace at 48.4°N, points every ~37 m, and POIs at known
        // offsets north of it, plus some past its end.
        let trace = Trace {
            segments: vec![
                (0..=54)
                    .map(|i| TracePoint {
                        pos: ll(2.7 + i as f64 * 0.0005, 48.4),
                        ele: None,
                    })
                    .collect(),
            ],
        };
        let north = |m: f64| m / 111_200.0;
        let pois = vec![
            poi(0, 2.705, 48.4 + north(50.0), PoiKind::Heritage),
            poi(1, 2.710, 48.4 - north(140.0), PoiKind::Food),
            poi(2, 2.715, 48.4 + north(160.0), PoiKind::Flora),
            poi(3, 2.7275 + 0.0012, 48.4, PoiKind::Viewpoint), // ~89 m past the end
            poi(4, 2.69, 48.4, PoiKind::Viewpoint),            // ~740 m before the start
        ];
        let index = SpatialIndex::build(pois, vec![]);
        let hits = index.pois_along(&trace, 150.0);
        let ids: Vec<&str> = hits.iter().map(|h| h.item.id.as_str()).collect();
        assert_eq!(ids, ["p0", "p3", "p1"]);
        let locator = TraceLocator::new(&trace);
        for h in &hits {
            let expected = locator
                .locate(h.item.pos)
                .map(|l| l.offset_m)
                .unwrap_or(f64::NAN);
            assert!(
                (h.distance_m - expected).abs() < 0.5,
                "{}: {} vs {expected}",
                h.item.id,
                h.distance_m
            );
        }
        assert_eq!(index.pois_along(&trace, 200.0).len(), 4);
    }

    #[test]
    fn circuit_starts() {
        let starts = vec![
            CircuitStart {
                id: CircuitId::new("a").unwrap(),
                pos: ll(3.29, 48.56),
            },
            CircuitStart {
                id: CircuitId::new("b").unwrap(),
                pos: ll(2.60, 48.40),
            },
        ];
        let index = SpatialIndex::build(vec![], starts);
        let hits = index.nearby_starts(ll(2.61, 48.41), 5_000.0);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].item.id.as_str(), "b");
    }
}
