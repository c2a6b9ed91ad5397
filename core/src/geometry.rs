//! Geometry on traces: every distance is on the WGS84 ellipsoid (geodesic), except where a
//! local projection is named and its error stated.
//!
//! The rules, in one place:
//! - **Length**: geodesic distances summed within each segment; the gap between two
//!   segments is not walked and does not count.
//! - **Ascent and descent**: elevations are first smoothed by a centred moving average over
//!   [`SMOOTHING_WINDOW_M`] of trace, then accumulated with a dead band of
//!   [`DEAD_BAND_M`]: a change counts only once the smoothed elevation has moved that far
//!   from the last counted level. GPS and DEM noise adds metres of false climb on every
//!   wobble; the average removes the jitter and the dead band the remaining ripples.
//! - **Duration** (walking): DIN 33466. Horizontal time at 4 km/h, vertical time at
//!   300 m/h up and 500 m/h down; the total is the larger of the two plus half the smaller.
//!   Other practices use the same shape with their own speeds ([`Pace`]).
//! - **Difficulty**: from the effort-kilometres (length in km + ascent in m / 100):
//!   below 8 easy, below 15 medium, below 25 hard, else very hard.
//! - **Type**: `loop` when start and end are within [`LOOP_CLOSURE_M`]; among those,
//!   `return` when at least [`RETURN_OVERLAP`] of the second half lies within
//!   [`RETURN_CORRIDOR_M`] of the first half (the walker comes back the same way);
//!   else `one_way`.

use crate::domain::{CircuitType, Difficulty, LonLat, Practice, Trace, TracePoint, TraceStats};
use geo::{Distance, Geodesic};

pub const SMOOTHING_WINDOW_M: f64 = 50.0;
pub const DEAD_BAND_M: f64 = 2.0;
pub const LOOP_CLOSURE_M: f64 = 200.0;
pub const RETURN_CORRIDOR_M: f64 = 40.0;
pub const RETURN_OVERLAP: f64 = 0.8;

/// Geodesic distance in metres between two positions.
pub fn distance_m(a: LonLat, b: LonLat) -> f64 {
    Geodesic.distance(a.point(), b.point())
}

/// Length, ascent, descent and elevation range of a trace.
pub fn trace_stats(trace: &Trace) -> TraceStats {
    let mut stats = TraceStats::default();
    for seg in &trace.segments {
        stats.length_m += segment_length_m(seg);
        let (up, down) = ascent_descent(seg);
        stats.ascent_m += up;
        stats.descent_m += down;
    }
    for e in trace.points().filter_map(|p| p.ele) {
        stats.min_elevation_m = Some(stats.min_elevation_m.map_or(e, |m: f64| m.min(e)));
        stats.max_elevation_m = Some(stats.max_elevation_m.map_or(e, |m: f64| m.max(e)));
    }
    stats
}

fn segment_length_m(seg: &[TracePoint]) -> f64 {
    seg.windows(2).map(|w| distance_m(w[0].pos, w[1].pos)).sum()
}

/// Cumulative distance from the segment's first point to each point.
fn cumulative_m(seg: &[TracePoint]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out = Vec::with_capacity(seg.len());
    for (i, p) in seg.iter().enumerate() {
        if i > 0 {
            acc += distance_m(seg[i - 1].pos, p.pos);
        }
        out.push(acc);
    }
    out
}

/// Ascent and descent of one segment, in metres, by the smoothing rule of this module.
/// Points without elevation are skipped.
pub fn ascent_descent(seg: &[TracePoint]) -> (f64, f64) {
    let along = cumulative_m(seg);
    let samples: Vec<(f64, f64)> = seg
        .iter()
        .zip(&along)
        .filter_map(|(p, d)| p.ele.map(|e| (*d, e)))
        .collect();
    let smoothed = moving_average(&samples, SMOOTHING_WINDOW_M / 2.0);
    dead_band_gain(&smoothed, DEAD_BAND_M)
}

/// Centred moving average of `(distance, value)` samples over ±`half_window` metres,
/// in linear time with a sliding window.
fn moving_average(samples: &[(f64, f64)], half_window: f64) -> Vec<f64> {
    let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0.0);
    let mut out = Vec::with_capacity(samples.len());
    for &(d, _) in samples {
        while hi < samples.len() && samples[hi].0 <= d + half_window {
            sum += samples[hi].1;
            hi += 1;
        }
        while samples[lo].0 < d - half_window {
            sum -= samples[lo].1;
            lo += 1;
        }
        out.push(sum / (hi - lo) as f64);
    }
    out
}

fn dead_band_gain(values: &[f64], band: f64) -> (f64, f64) {
    let Some(&first) = values.first() else {
        return (0.0, 0.0);
    };
    let (mut level, mut up, mut down) = (first, 0.0, 0.0);
    for &v in values {
        if v - level >= band {
            up += v - level;
            level = v;
        } else if level - v >= band {
            down += level - v;
            level = v;
        }
    }
    (up, down)
}

/// Speeds of a practice, for the DIN 33466 shape of [`duration_min`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub flat_kmh: f64,
    pub up_mh: f64,
    pub down_mh: f64,
}

impl Pace {
    pub fn of(practice: Practice) -> Pace {
        match practice {
            Practice::Walk => Pace {
                flat_kmh: 4.0,
                up_mh: 300.0,
                down_mh: 500.0,
            },
            Practice::Horse => Pace {
                flat_kmh: 6.0,
                up_mh: 400.0,
                down_mh: 600.0,
            },
            Practice::Mtb => Pace {
                flat_kmh: 12.0,
                up_mh: 600.0,
                down_mh: 1500.0,
            },
            Practice::Bike => Pace {
                flat_kmh: 16.0,
                up_mh: 700.0,
                down_mh: 2000.0,
            },
        }
    }
}

/// Figures a source states itself, each winning over the one computed from the trace:
/// a producer's relief from a terrain model beats a GPS trace's, its duration and
/// difficulty are its own judgement.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GivenFigures {
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub min_elevation_m: Option<f64>,
    pub max_elevation_m: Option<f64>,
    pub duration_min: Option<u32>,
    pub difficulty: Option<Difficulty>,
    pub circuit_type: Option<CircuitType>,
}

/// Every figure of a circuit: what sheets, lists and filters show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub stats: TraceStats,
    pub duration_min: u32,
    pub difficulty: Difficulty,
    pub circuit_type: CircuitType,
}

impl Figures {
    /// The one place circuit figures are computed: the trace's length and relief, the
    /// given relief over the computed one, then duration, difficulty and type from them
    /// unless given.
    pub fn of(trace: &Trace, practice: Practice, given: &GivenFigures) -> Self {
        let mut stats = trace_stats(trace);
        stats.ascent_m = given.ascent_m.map_or(stats.ascent_m, f64::abs);
        stats.descent_m = given.descent_m.map_or(stats.descent_m, f64::abs);
        stats.min_elevation_m = given.min_elevation_m.or(stats.min_elevation_m);
        stats.max_elevation_m = given.max_elevation_m.or(stats.max_elevation_m);
        Self {
            duration_min: given.duration_min.unwrap_or_else(|| {
                duration_min(stats.length_m, stats.ascent_m, stats.descent_m, practice)
            }),
            difficulty: given
                .difficulty
                .unwrap_or_else(|| difficulty(stats.length_m, stats.ascent_m)),
            circuit_type: given.circuit_type.unwrap_or_else(|| circuit_type(trace)),
            stats,
        }
    }
}

/// Estimated time in minutes, rounded to the nearest 5 minutes (never below 5).
pub fn duration_min(length_m: f64, ascent_m: f64, descent_m: f64, practice: Practice) -> u32 {
    let pace = Pace::of(practice);
    let horizontal_h = length_m / 1000.0 / pace.flat_kmh;
    let vertical_h = ascent_m / pace.up_mh + descent_m / pace.down_mh;
    let hours = horizontal_h.max(vertical_h) + horizontal_h.min(vertical_h) / 2.0;
    let minutes = (hours * 60.0 / 5.0).round() * 5.0;
    minutes.max(5.0) as u32
}

/// A suggested difficulty from the effort-kilometres of the trace.
pub fn difficulty(length_m: f64, ascent_m: f64) -> Difficulty {
    let effort_km = length_m / 1000.0 + ascent_m / 100.0;
    match effort_km {
        e if e < 8.0 => Difficulty::Easy,
        e if e < 15.0 => Difficulty::Medium,
        e if e < 25.0 => Difficulty::Hard,
        _ => Difficulty::VeryHard,
    }
}

/// Loop, return or one way, by the rule of this module.
pub fn circuit_type(trace: &Trace) -> CircuitType {
    let (Some(start), Some(end)) = (trace.start(), trace.end()) else {
        return CircuitType::OneWay;
    };
    if distance_m(start, end) > LOOP_CLOSURE_M {
        return CircuitType::OneWay;
    }
    let points: Vec<LonLat> = trace.points().map(|p| p.pos).collect();
    let half = points.len() / 2;
    if half < 2 {
        return CircuitType::Loop;
    }
    let first = TraceLocator::new(&Trace {
        segments: vec![
            points[..=half]
                .iter()
                .map(|&pos| TracePoint { pos, ele: None })
                .collect(),
        ],
    });
    let second = &points[half..];
    let near = second
        .iter()
        .filter(|p| {
            first
                .locate(**p)
                .is_some_and(|l| l.offset_m <= RETURN_CORRIDOR_M)
        })
        .count();
    if near as f64 >= RETURN_OVERLAP * second.len() as f64 {
        CircuitType::Return
    } else {
        CircuitType::Loop
    }
}

/// The elevation profile: `(distance from start, elevation)` for each point with an
/// elevation. Distances continue across segments without counting the gaps.
pub fn profile(trace: &Trace) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut offset = 0.0;
    for seg in &trace.segments {
        let along = cumulative_m(seg);
        out.extend(
            seg.iter()
                .zip(&along)
                .filter_map(|(p, d)| p.ele.map(|e| (offset + d, e))),
        );
        offset += along.last().copied().unwrap_or(0.0);
    }
    out
}

/// Where a position lies relative to a trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    /// Distance walked from the start to the closest point of the trace.
    pub along_m: f64,
    /// Distance from the position to that closest point.
    pub offset_m: f64,
}

/// Locates positions relative to a trace. Works in a local equirectangular projection
/// centred on the trace: within 50 km of the centre, its distance error stays under 0.5 %
/// in mainland France, small against GPS accuracy. Distances along the trace are the
/// geodesic ones, interpolated within the closest segment.
#[derive(Debug, Clone)]
pub struct TraceLocator {
    origin: (f64, f64),
    cos_lat: f64,
    segments: Vec<ProjectedSegment>,
}

/// Projected vertices of a segment, and the geodesic distance from the trace's start to each.
type ProjectedSegment = (Vec<(f64, f64)>, Vec<f64>);

const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl TraceLocator {
    pub fn new(trace: &Trace) -> Self {
        let n = trace.point_count().max(1) as f64;
        let (sx, sy) = trace
            .points()
            .fold((0.0, 0.0), |(x, y), p| (x + p.pos.lon(), y + p.pos.lat()));
        let origin = (sx / n, sy / n);
        let cos_lat = origin.1.to_radians().cos();
        let mut offset = 0.0;
        let mut segments = Vec::with_capacity(trace.segments.len());
        for seg in &trace.segments {
            let along: Vec<f64> = cumulative_m(seg).into_iter().map(|d| d + offset).collect();
            offset = along.last().copied().unwrap_or(offset);
            let xy = seg
                .iter()
                .map(|p| project(origin, cos_lat, p.pos))
                .collect();
            segments.push((xy, along));
        }
        Self {
            origin,
            cos_lat,
            segments,
        }
    }

    /// The closest point of the trace to `pos`, or `None` for an empty trace.
    pub fn locate(&self, pos: LonLat) -> Option<Location> {
        let p = project(self.origin, self.cos_lat, pos);
        let mut best: Option<Location> = None;
        for (xy, along) in &self.segments {
            if xy.len() == 1 {
                let offset_m = dist(p, xy[0]);
                keep_best(
                    &mut best,
                    Location {
                        along_m: along[0],
                        offset_m,
                    },
                );
            }
            for i in 1..xy.len() {
                let (t, q) = closest_on_segment(p, xy[i - 1], xy[i]);
                let along_m = along[i - 1] + t * (along[i] - along[i - 1]);
                keep_best(
                    &mut best,
                    Location {
                        along_m,
                        offset_m: dist(p, q),
                    },
                );
            }
        }
        best
    }

    /// `pos` in this locator's local projection: metres east and north of the trace's mean
    /// point. For callers that need the same plane as [`Self::locate`] (guidance).
    pub fn project(&self, pos: LonLat) -> (f64, f64) {
        project(self.origin, self.cos_lat, pos)
    }

    /// The projected vertices of each segment, in trace order.
    pub fn projected_segments(&self) -> impl Iterator<Item = &[(f64, f64)]> {
        self.segments.iter().map(|(xy, _)| xy.as_slice())
    }
}

fn keep_best(best: &mut Option<Location>, candidate: Location) {
    if best.is_none_or(|b| candidate.offset_m < b.offset_m) {
        *best = Some(candidate);
    }
}

fn project(origin: (f64, f64), cos_lat: f64, p: LonLat) -> (f64, f64) {
    (
        (p.lon() - origin.0).to_radians() * cos_lat * EARTH_RADIUS_M,
        (p.lat() - origin.1).to_radians() * EARTH_RADIUS_M,
    )
}

/// Distance in a plane. Written with the same operations as the web app's guidance,
/// which must compute the same numbers.
pub(crate) fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (a.0 - b.0, a.1 - b.1);
    (dx * dx + dy * dy).sqrt()
}

/// The point of segment `a`–`b` closest to `p` in a plane, and its fraction `t` of the
/// way from `a` (0 for a segment of no length).
pub(crate) fn closest_on_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> (f64, (f64, f64)) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (t, (a.0 + t * dx, a.1 + t * dy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(lon: f64, lat: f64, ele: Option<f64>) -> TracePoint {
        TracePoint {
            pos: LonLat::new(lon, lat).unwrap(),
            ele,
        }
    }

    /// A straight north-going segment of `n` points `step_deg` apart, with elevations.
    fn north_line(n: usize, step_deg: f64, ele: impl Fn(usize) -> f64) -> Vec<TracePoint> {
        (0..n)
            .map(|i| pt(2.9, 48.5 + i as f64 * step_deg, Some(ele(i))))
            .collect()
    }

    #[test]
    fn geodesic_distance_matches_reference() {
        // One degree of latitude at 48.5°N on WGS84 is 111,194 m (from the meridian arc
        // formula, checked by hand against geographiclib's online solver).
        let d = distance_m(
            LonLat::new(2.9, 48.0).unwrap(),
            LonLat::new(2.9, 49.0).unwrap(),
        );
        assert!((d - 111_194.0).abs() < 30.0, "{d}");
        // Provins (Tour César) to Paris (Notre-Dame): 76.3 km by a hand-worked
        // equirectangular estimate, good to a few hundred metres at this range.
        let d = distance_m(
            LonLat::new(3.2887, 48.5606).unwrap(),
            LonLat::new(2.3499, 48.8530).unwrap(),
        );
        assert!((d - 76_300.0).abs() < 500.0, "{d}");
    }

    #[test]
    fn length_ignores_gaps_between_segments() {
        let a = vec![pt(2.9, 48.5, None), pt(2.9, 48.51, None)];
        let b = vec![pt(3.0, 48.5, None), pt(3.0, 48.51, None)];
        let one = trace_stats(&Trace {
            segments: vec![a.clone()],
        })
        .length_m;
        let two = trace_stats(&Trace {
            segments: vec![a, b],
        })
        .length_m;
        assert!((one - 1_111.9).abs() < 1.0, "{one}");
        assert!((two - 2.0 * one).abs() < 0.5, "{two}");
    }

    #[test]
    fn smoothing_removes_noise_but_keeps_real_climbs() {
        // A 150 m climb over 3 km then back down, sampled every ~11 m, with ±4 m
        // deterministic noise: the raw sum of rises counts hundreds of metres of jitter.
        let noise = |i: usize| ((i * 7919) % 17) as f64 / 2.0 - 4.0;
        let hill = |i: usize| {
            let x = i as f64 / 540.0;
            100.0 + 150.0 * (1.0 - (2.0 * x - 1.0).abs())
        };
        let seg = north_line(541, 0.0001, |i| hill(i) + noise(i));
        let raw_up: f64 = seg
            .windows(2)
            .map(|w| (w[1].ele.unwrap() - w[0].ele.unwrap()).max(0.0))
            .sum();
        let (up, down) = ascent_descent(&seg);
        assert!(
            raw_up > 600.0,
            "the noise must matter for this test: {raw_up}"
        );
        assert!((up - 150.0).abs() < 12.0, "ascent {up}");
        assert!((down - 150.0).abs() < 12.0, "descent {down}");
    }

    #[test]
    fn flat_noisy_track_has_almost_no_ascent() {
        let seg = north_line(400, 0.0001, |i| 60.0 + if i % 2 == 0 { 2.0 } else { -2.0 });
        let (up, down) = ascent_descent(&seg);
        assert!(up < 3.0 && down < 3.0, "{up} {down}");
    }

    #[test]
    fn din_33466_duration() {
        // 12 km, 600 m up and down: horizontal 3 h; vertical 2 h + 1.2 h = 3.2 h;
        // total 3.2 + 3 / 2 = 4.7 h = 282 min, rounded to 280.
        assert_eq!(duration_min(12_000.0, 600.0, 600.0, Practice::Walk), 280);
        // Flat 8 km: 2 h exactly.
        assert_eq!(duration_min(8_000.0, 0.0, 0.0, Practice::Walk), 120);
        // 4 km with 900 m up: vertical dominates, 3 h + 0.5 h.
        assert_eq!(duration_min(4_000.0, 900.0, 0.0, Practice::Walk), 210);
        // Faster practices take less time on the same circuit.
        assert!(duration_min(12_000.0, 600.0, 600.0, Practice::Mtb) < 120);
        assert_eq!(duration_min(10.0, 0.0, 0.0, Practice::Walk), 5);
    }

    #[test]
    fn difficulty_from_effort_km() {
        assert_eq!(difficulty(5_000.0, 100.0), Difficulty::Easy);
        assert_eq!(difficulty(10_000.0, 200.0), Difficulty::Medium);
        assert_eq!(difficulty(15_000.0, 500.0), Difficulty::Hard);
        assert_eq!(difficulty(20_000.0, 600.0), Difficulty::VeryHard);
    }

    #[test]
    fn circuit_types() {
        let out: Vec<TracePoint> = (0..50)
            .map(|i| pt(2.9 + i as f64 * 0.0005, 48.5, None))
            .collect();
        let one_way = Trace {
            segments: vec![out.clone()],
        };
        assert_eq!(circuit_type(&one_way), CircuitType::OneWay);

        let mut back = out.clone();
        back.extend(out.iter().rev().map(|p| pt(p.pos.lon(), 48.5001, None)));
        assert_eq!(
            circuit_type(&Trace {
                segments: vec![back]
            }),
            CircuitType::Return
        );

        // A square of ~1.1 km sides, back to the start.
        let mut square = Vec::new();
        for i in 0..=10 {
            square.push(pt(2.9 + i as f64 * 0.0015, 48.5, None));
        }
        for i in 1..=10 {
            square.push(pt(2.915, 48.5 + i as f64 * 0.001, None));
        }
        for i in (0..10).rev() {
            square.push(pt(2.9 + i as f64 * 0.0015, 48.51, None));
        }
        for i in (0..10).rev() {
            square.push(pt(2.9, 48.5 + i as f64 * 0.001, None));
        }
        assert_eq!(
            circuit_type(&Trace {
                segments: vec![square]
            }),
            CircuitType::Loop
        );
    }

    #[test]
    fn locate_gives_distance_along_and_offset() {
        let seg = north_line(11, 0.001, |_| 0.0); // ~1.11 km north
        let trace = Trace {
            segments: vec![seg],
        };
        let loc = TraceLocator::new(&trace);
        // 30 m east of the point halfway.
        let dlon =
            30.0 / (EARTH_RADIUS_M * 48.505f64.to_radians().cos()) * 180.0 / std::f64::consts::PI;
        let l = loc
            .locate(LonLat::new(2.9 + dlon, 48.505).unwrap())
            .unwrap();
        assert!((l.along_m - 555.9).abs() < 2.0, "{l:?}");
        assert!((l.offset_m - 30.0).abs() < 0.5, "{l:?}");
        // Before the start: clamped to 0 along.
        let l = loc.locate(LonLat::new(2.9, 48.49).unwrap()).unwrap();
        assert!(
            l.along_m.abs() < 1e-6 && (l.offset_m - 1_112.0).abs() < 3.0,
            "{l:?}"
        );
    }

    #[test]
    fn profile_runs_across_segments() {
        let a = north_line(3, 0.001, |i| 50.0 + i as f64);
        let b = vec![pt(3.0, 48.5, None), pt(3.0, 48.501, Some(80.0))];
        let p = profile(&Trace {
            segments: vec![a, b],
        });
        assert_eq!(p.len(), 4);
        assert_eq!(p[0], (0.0, 50.0));
        assert!((p[3].0 - 3.0 * 111.2).abs() < 1.0, "{p:?}");
        assert!(p.windows(2).all(|w| w[1].0 >= w[0].0));
    }
}
