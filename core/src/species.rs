//! The public grid of species observations. Observations are stored precisely, but
//! everything public (species around a place, species along a circuit, offline
//! packages) reads only their aggregates in square cells of the Lambert 93 grid:
//! 1 km cells for most taxa, 10 km cells for sensitive ones, none at all for the
//! strictest level (see [`crate::sensitivity`]). A cell is named `1kmE652N6855`
//! (size, then the south-west corner in kilometres: easting, northing), the way the
//! European reference grid names its cells; a sensitive taxon's cells are never named.
//!
//! A place "sees" a cell when the cell comes within the search radius of it; a trace
//! sees the cells within [`ALONG_M`] of any of its points (sampled every `STEP_M`, 250 m).

use crate::domain::{LonLat, Sensitivity, SpeciesCell, Taxon, Trace};
use crate::projection::to_lambert93;
use std::collections::{BTreeSet, HashMap};

/// Distance from a trace within which cells count as along it.
pub const ALONG_M: f64 = 500.0;
/// Spacing of the trace samples: well under a cell's side.
const STEP_M: f64 = 250.0;

/// The cell of `size_m` holding a Lambert 93 position.
pub fn cell_of(x: f64, y: f64, size_m: u32) -> (i32, i32) {
    let s = f64::from(size_m);
    ((x / s).floor() as i32, (y / s).floor() as i32)
}

/// `1kmE652N6855`, `10kmE65N685`.
pub fn cell_code(size_m: u32, x: i32, y: i32) -> String {
    let km = size_m / 1000;
    let unit = i64::from(km);
    format!("{km}kmE{}N{}", i64::from(x) * unit, i64::from(y) * unit)
}

/// Distance in metres from a Lambert 93 point to a cell (0 inside it).
fn distance_to_cell(px: f64, py: f64, size_m: u32, x: i32, y: i32) -> f64 {
    let s = f64::from(size_m);
    let (x0, y0) = (f64::from(x) * s, f64::from(y) * s);
    let dx = (x0 - px).max(0.0).max(px - (x0 + s));
    let dy = (y0 - py).max(0.0).max(py - (y0 + s));
    dx.hypot(dy)
}

/// Cells of `size_m` within `radius_m` of a Lambert 93 point.
fn cells_near(px: f64, py: f64, radius_m: f64, size_m: u32) -> Vec<(i32, i32)> {
    let (x0, y0) = cell_of(px - radius_m, py - radius_m, size_m);
    let (x1, y1) = cell_of(px + radius_m, py + radius_m, size_m);
    let mut out = Vec::new();
    for x in x0..=x1 {
        for y in y0..=y1 {
            if distance_to_cell(px, py, size_m, x, y) <= radius_m {
                out.push((x, y));
            }
        }
    }
    out
}

/// What the public knows of one taxon around a place or along a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeciesSeen {
    pub taxon: Taxon,
    pub sensitivity: Sensitivity,
    /// Months seen, bit 0 = January.
    pub months: u16,
    pub observations: u64,
    /// The cells the observations were counted in, by code; empty for a sensitive
    /// taxon, whose cells are not told.
    pub cells: BTreeSet<String>,
}

impl SpeciesSeen {
    /// Months as numbers 1–12.
    pub fn month_numbers(&self) -> Vec<u8> {
        (0..12)
            .filter(|m| self.months & (1 << m) != 0)
            .map(|m| m + 1)
            .collect()
    }
}

/// A cell's key: size in metres, then its indices.
pub type CellKey = (u32, i32, i32);

/// The cells of both sizes from the points `points` (Lambert 93) within `radius_m`.
fn cells_from(points: impl Iterator<Item = (f64, f64)>, radius_m: f64) -> Vec<CellKey> {
    let mut keys = BTreeSet::new();
    for (px, py) in points {
        for size in [1_000, 10_000] {
            for (x, y) in cells_near(px, py, radius_m, size) {
                keys.insert((size, x, y));
            }
        }
    }
    keys.into_iter().collect()
}

/// The cells a place sees within `radius_m`.
pub fn cells_near_place(center: LonLat, radius_m: f64) -> Vec<CellKey> {
    match to_lambert93(center) {
        Ok(p) => cells_from(std::iter::once(p), radius_m),
        Err(_) => Vec::new(),
    }
}

/// The cells a trace sees (within [`ALONG_M`] of a sample every `STEP_M`).
pub fn cells_along(trace: &Trace) -> Vec<CellKey> {
    let mut samples = Vec::new();
    for segment in &trace.segments {
        let mut last: Option<(f64, f64)> = None;
        for p in segment {
            let Ok(q) = to_lambert93(p.pos) else { continue };
            if let Some(l) = last {
                // Fill long legs so that no cell between two points is skipped.
                let d = (q.0 - l.0).hypot(q.1 - l.1);
                let n = (d / STEP_M).floor() as usize;
                for i in 1..=n {
                    let t = i as f64 * STEP_M / d;
                    samples.push((l.0 + (q.0 - l.0) * t, l.1 + (q.1 - l.1) * t));
                }
            }
            samples.push(q);
            last = Some(q);
        }
    }
    cells_from(samples.into_iter(), ALONG_M)
}
/// What a cell holds per taxon: the taxon's index, months, observations.
type CellEntry = (usize, u16, u64);

/// The public aggregates in memory: cells by size and position, taxa by key.
#[derive(Debug, Default)]
pub struct SpeciesGrid {
    cells: HashMap<CellKey, Vec<CellEntry>>,
    taxa: Vec<(Taxon, Sensitivity)>,
}

impl SpeciesGrid {
    /// Builds the grid from the store's aggregates and taxa (with their sensitivity).
    pub fn new(cells: Vec<SpeciesCell>, taxa: Vec<(Taxon, Sensitivity)>) -> Self {
        let index: HashMap<&str, usize> = taxa
            .iter()
            .enumerate()
            .map(|(i, (t, _))| (t.key.as_str(), i))
            .collect();
        let mut grid: HashMap<CellKey, Vec<CellEntry>> = HashMap::new();
        for c in cells {
            let Some(&t) = index.get(c.taxon.as_str()) else {
                continue;
            };
            let entries = grid.entry((c.size_m, c.x, c.y)).or_default();
            match entries.iter_mut().find(|(i, _, _)| *i == t) {
                Some(e) => {
                    e.1 |= c.months;
                    e.2 += c.observations;
                }
                None => entries.push((t, c.months, c.observations)),
            }
        }
        Self { cells: grid, taxa }
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Taxa seen within `radius_m` of `center`, most observed first.
    pub fn near(&self, center: LonLat, radius_m: f64) -> Vec<SpeciesSeen> {
        self.seen(&cells_near_place(center, radius_m))
    }

    /// Taxa seen along a trace (within [`ALONG_M`]), most observed first.
    pub fn along(&self, trace: &Trace) -> Vec<SpeciesSeen> {
        self.seen(&cells_along(trace))
    }

    /// Taxa seen in the cells `keys`, most observed first.
    pub fn seen(&self, keys: &[CellKey]) -> Vec<SpeciesSeen> {
        let mut seen: HashMap<usize, SpeciesSeen> = HashMap::new();
        for &key @ (size, x, y) in keys {
            let Some(entries) = self.cells.get(&key) else {
                continue;
            };
            for &(t, months, n) in entries {
                let (taxon, sensitivity) = &self.taxa[t];
                let s = seen.entry(t).or_insert_with(|| SpeciesSeen {
                    taxon: taxon.clone(),
                    sensitivity: *sensitivity,
                    months: 0,
                    observations: 0,
                    cells: BTreeSet::new(),
                });
                s.months |= months;
                s.observations += n;
                if *sensitivity == Sensitivity::Normal {
                    s.cells.insert(cell_code(size, x, y));
                }
            }
        }
        let mut out: Vec<SpeciesSeen> = seen.into_values().collect();
        out.sort_by(|a, b| {
            b.observations
                .cmp(&a.observations)
                .then_with(|| a.taxon.scientific_name.cmp(&b.taxon.scientific_name))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TracePoint;

    fn taxon(key: &str) -> Taxon {
        Taxon {
            key: key.into(),
            scientific_name: key.into(),
            ..Taxon::default()
        }
    }

    fn cell_at(p: LonLat, size_m: u32, taxon: &str, months: u16, n: u64) -> SpeciesCell {
        let (x, y) = to_lambert93(p).expect("l93");
        let (cx, cy) = cell_of(x, y, size_m);
        SpeciesCell {
            size_m,
            x: cx,
            y: cy,
            taxon: taxon.into(),
            months,
            observations: n,
        }
    }

    #[test]
    fn codes_and_cells() {
        assert_eq!(cell_of(652_345.0, 6_855_999.0, 1_000), (652, 6855));
        assert_eq!(cell_code(1_000, 652, 6855), "1kmE652N6855");
        assert_eq!(cell_of(652_345.0, 6_855_999.0, 10_000), (65, 685));
        assert_eq!(cell_code(10_000, 65, 685), "10kmE650N6850");
        assert_eq!(distance_to_cell(500.0, 500.0, 1_000, 0, 0), 0.0);
        assert_eq!(distance_to_cell(1_300.0, 1_400.0, 1_000, 0, 0), 500.0);
    }

    #[test]
    fn near_folds_months_and_counts_and_respects_the_radius() {
        let provins = LonLat::new(3.2995, 48.5601).expect("pos");
        let far = LonLat::new(3.40, 48.60).expect("pos"); // about 8 km away
        let grid = SpeciesGrid::new(
            vec![
                cell_at(provins, 1_000, "Lucanus cervus", 0b0000_0100_0000, 2),
                cell_at(provins, 1_000, "Lucanus cervus", 0b0000_1000_0000, 1),
                cell_at(far, 1_000, "Upupa epops", 0b0001, 5),
            ],
            vec![
                (taxon("Lucanus cervus"), Sensitivity::Normal),
                (taxon("Upupa epops"), Sensitivity::Normal),
            ],
        );
        let near = grid.near(provins, 1_000.0);
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].observations, 3);
        assert_eq!(near[0].month_numbers(), vec![7, 8]);
        let wide = grid.near(provins, 12_000.0);
        assert_eq!(wide.len(), 2);
        assert_eq!(wide[0].taxon.key, "Upupa epops", "most observed first");
    }

    #[test]
    fn a_sensitive_taxon_is_found_through_its_10_km_cell_never_named() {
        let p = LonLat::new(2.70, 48.40).expect("pos");
        let grid = SpeciesGrid::new(
            vec![cell_at(p, 10_000, "Orchis purpurea", 0b10, 1)],
            vec![(taxon("Orchis purpurea"), Sensitivity::Sensitive)],
        );
        let found = grid.near(p, 100.0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].sensitivity, Sensitivity::Sensitive);
        assert!(found[0].cells.is_empty(), "{:?}", found[0].cells);
        assert_eq!(found[0].observations, 1);
    }

    #[test]
    fn along_a_trace_sees_cells_between_distant_points() {
        // A straight 6 km leg with no point in between: the middle cell still counts.
        let a = LonLat::new(2.70, 48.40).expect("a");
        let b = LonLat::new(2.78, 48.40).expect("b");
        let mid = LonLat::new(2.74, 48.40).expect("mid");
        let off = LonLat::new(2.74, 48.45).expect("off"); // 5.5 km north
        let grid = SpeciesGrid::new(
            vec![
                cell_at(mid, 1_000, "Mid", 1, 1),
                cell_at(off, 1_000, "Off", 1, 1),
            ],
            vec![
                (taxon("Mid"), Sensitivity::Normal),
                (taxon("Off"), Sensitivity::Normal),
            ],
        );
        let trace = Trace {
            segments: vec![vec![
                TracePoint { pos: a, ele: None },
                TracePoint { pos: b, ele: None },
            ]],
        };
        let along = grid.along(&trace);
        assert_eq!(
            along
                .iter()
                .map(|s| s.taxon.key.as_str())
                .collect::<Vec<_>>(),
            ["Mid"]
        );
    }
}
