//! Guidance on the trail: turns a stream of GPS fixes into events (a POI to see, off route,
//! back on route, a landscape entered) and a progress figure.
//!
//! The same rules run on the server (this module) and on the phone (`pwa/src/guidance.js`);
//! the vectors in `fixtures/guidance/` are run by both test suites and must give the same
//! events. Any change here must be made there too.
//!
//! The rules, in one place:
//! - **Plane.** Every distance (fix to trace, fix to POI, distance moved) is measured in the
//!   local equirectangular projection of [`TraceLocator`] (centred on the mean of the trace
//!   points, Earth radius 6,371,008.8 m). Distances *along* the trace are the lengths of the
//!   projected segments, summed across the trace's segments without the gaps: both runtimes
//!   compute the same thing with the same few operations, whereas a geodesic would need the
//!   same ellipsoid library on both sides. It is shorter than the sheet's geodesic length by
//!   under 0.5 % (the sphere's east-west scale is ~0.3 % short of WGS84's at 48.5°N; the
//!   north-south scales agree to 0.01 %).
//! - **Accuracy.** A fix whose accuracy is not `<=` [`GuideConfig::max_accuracy_m`] (50 m;
//!   NaN included) is ignored entirely: no trigger, no off-route count, no reset, no progress.
//!   The fix's time `t` is carried but no rule uses it.
//! - **POIs.** A POI fires when the fix is within its trigger radius (`<=`): its own
//!   `trigger_radius_m`, else the default of its kind ([`default_trigger_radius_m`]). Each POI
//!   fires at most once per walk. POIs firing on the same fix come nearest first, then by id.
//! - **Off route.** The offset is the distance from the fix to the closest point of the trace.
//!   A fix is *off* when offset > `off_route_m` (40) + min(accuracy, `off_route_accuracy_cap_m`
//!   (20)) / 2: a vaguer fix gets more benefit of the doubt, up to 10 m. `off_route_fixes` (3)
//!   consecutive off fixes raise one `off_route` with that fix's offset and the bearing (0 =
//!   north, clockwise, in [0, 360)) from the fix to the closest point of the trace, taken in
//!   the plane. While alerting, the first fix with offset < `back_on_route_m` (25) raises
//!   `back_on_route`; fixes between 25 m and the off threshold neither clear the alert nor,
//!   before it, count as off: that hysteresis stops the alert flapping when a walker hovers
//!   around 40 m. Before the alert, any fix that is not off resets the count.
//! - **Progress.** The fix is snapped onto the trace. Every edge of the trace gives its closest
//!   point; those within (best offset + `snap_window_m` (30)) form runs of consecutive edges,
//!   one run per pass of the trace near the fix, and each run offers its nearest point. Among
//!   these, the one whose along distance is nearest to (previous along + distance moved since
//!   the previous fix) wins; the first fix expects along 0, so a loop starts at its start.
//!   A candidate more than `max_backtrack_m` (200) behind the previous along is not taken unless
//!   nothing else is left. `done_m` is the snapped along, `remaining_m` the total length minus
//!   it (never negative), `offset_m` the offset above, and `next_poi` the first POI by along
//!   distance (then id) that has not fired and lies strictly ahead, with its distance along
//!   the trace from the walker. A POI's own along is snapped like a first fix: the first pass.
//! - **Landscapes.** Point in polygon by ray casting on raw lon/lat (outer rings; a unit
//!   given as several rings under one id is one unit); a unit is announced at
//!   the first fix inside it, once per walk. Several on the same fix come by id.
//! - **Order of events on one fix**: off_route or back_on_route, then POIs, then landscapes.
//! - A trace without points gives no projection: only landscape events, no progress.
//!
//! Ids compare as strings (byte order; JavaScript's order is the same for the ASCII ids that
//! Balade uses).

use crate::domain::{LonLat, PoiKind, Trace};
use crate::geometry::{TraceLocator, closest_on_segment, dist};
use serde::{Deserialize, Serialize};

/// The thresholds of the rules; the field names are the keys of a vector's `config`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuideConfig {
    /// Fixes vaguer than this are ignored.
    pub max_accuracy_m: f64,
    /// Base offset beyond which a fix is off route.
    pub off_route_m: f64,
    /// Cap on the accuracy whose half is added to `off_route_m`.
    pub off_route_accuracy_cap_m: f64,
    /// Consecutive off fixes that raise the alert.
    pub off_route_fixes: u32,
    /// Offset below which an alert clears.
    pub back_on_route_m: f64,
    /// How much further than the closest pass another pass may be to stay a candidate.
    pub snap_window_m: f64,
    /// How far behind the previous along a snap may fall while other candidates exist.
    pub max_backtrack_m: f64,
}

impl Default for GuideConfig {
    fn default() -> Self {
        Self {
            max_accuracy_m: 50.0,
            off_route_m: 40.0,
            off_route_accuracy_cap_m: 20.0,
            off_route_fixes: 3,
            back_on_route_m: 25.0,
            snap_window_m: 30.0,
            max_backtrack_m: 200.0,
        }
    }
}

/// Trigger radius of a POI that gives none: larger for what is seen from afar.
pub fn default_trigger_radius_m(kind: PoiKind) -> f64 {
    match kind {
        PoiKind::Heritage | PoiKind::Flora => 60.0,
        PoiKind::Food | PoiKind::Fauna => 80.0,
        PoiKind::Viewpoint | PoiKind::Lodging => 100.0,
        PoiKind::Landscape | PoiKind::Practical => 150.0,
    }
}

/// A POI the guide may announce.
#[derive(Debug, Clone, PartialEq)]
pub struct GuidePoi {
    pub id: String,
    pub kind: PoiKind,
    pub pos: LonLat,
    pub trigger_radius_m: Option<f64>,
}

/// A landscape unit: announced when the walker first enters its ring.
#[derive(Debug, Clone, PartialEq)]
pub struct Landscape {
    pub id: String,
    pub name: String,
    /// Outer ring, closed or not.
    pub ring: Vec<LonLat>,
}

/// One GPS fix: position, accuracy radius in metres, time in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub pos: LonLat,
    pub accuracy_m: f64,
    pub t: f64,
}

/// What the walker is told; serialized as in the shared vectors (`{"type": "poi", "id": ..}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GuideEvent {
    Poi { id: String },
    OffRoute { distance_m: f64, bearing_deg: f64 },
    BackOnRoute,
    Landscape { id: String },
}

/// Where the walker is on the circuit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub done_m: f64,
    pub remaining_m: f64,
    pub offset_m: f64,
    /// The next POI ahead that has not fired, and its distance along the trace.
    pub next_poi: Option<(String, f64)>,
}

type Xy = (f64, f64);

/// A point of the trace closest to a fix, on one edge.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    offset_m: f64,
    along_m: f64,
    point: Xy,
}

/// The trace in the plane, with along distances from projected lengths.
#[derive(Debug, Clone)]
struct Path {
    segments: Vec<(Vec<Xy>, Vec<f64>)>,
    total_m: f64,
}

impl Path {
    fn new(locator: &TraceLocator) -> Self {
        let mut acc = 0.0;
        let mut segments = Vec::new();
        for xy in locator.projected_segments() {
            if xy.is_empty() {
                continue;
            }
            let mut along = Vec::with_capacity(xy.len());
            for (i, p) in xy.iter().enumerate() {
                if i > 0 {
                    acc += dist(xy[i - 1], *p);
                }
                along.push(acc);
            }
            segments.push((xy.to_vec(), along));
        }
        Self {
            segments,
            total_m: acc,
        }
    }

    /// Closest point of each edge, grouped by segment, in trace order.
    fn candidates(&self, p: Xy) -> Vec<Vec<Candidate>> {
        let mut out = Vec::with_capacity(self.segments.len());
        for (xy, along) in &self.segments {
            let mut cands = Vec::with_capacity(xy.len());
            if xy.len() == 1 {
                cands.push(Candidate {
                    offset_m: dist(p, xy[0]),
                    along_m: along[0],
                    point: xy[0],
                });
            }
            for i in 1..xy.len() {
                let (t, q) = closest_on_segment(p, xy[i - 1], xy[i]);
                cands.push(Candidate {
                    offset_m: dist(p, q),
                    along_m: along[i - 1] + t * (along[i] - along[i - 1]),
                    point: q,
                });
            }
            out.push(cands);
        }
        out
    }

    /// The closest point of the trace, and the snapped point chosen by the progress rule.
    fn snap(
        &self,
        p: Xy,
        expected_m: f64,
        previous_m: Option<f64>,
        config: &GuideConfig,
    ) -> Option<(Candidate, Candidate)> {
        let cands = self.candidates(p);
        let mut closest: Option<Candidate> = None;
        for c in cands.iter().flatten() {
            if closest.is_none_or(|b| c.offset_m < b.offset_m) {
                closest = Some(*c);
            }
        }
        let closest = closest?;
        let window = closest.offset_m + config.snap_window_m;
        // One representative per run of consecutive edges within the window: a pass.
        let mut passes: Vec<Candidate> = Vec::new();
        for seg in &cands {
            let mut run: Option<Candidate> = None;
            for c in seg {
                if c.offset_m <= window {
                    if run.is_none_or(|r| c.offset_m < r.offset_m) {
                        run = Some(*c);
                    }
                } else if let Some(r) = run.take() {
                    passes.push(r);
                }
            }
            passes.extend(run);
        }
        let allowed = |c: &&Candidate| {
            previous_m.is_none_or(|prev| c.along_m >= prev - config.max_backtrack_m)
        };
        let pool: Vec<&Candidate> = if passes.iter().any(|c| allowed(&c)) {
            passes.iter().filter(allowed).collect()
        } else {
            passes.iter().collect()
        };
        let mut chosen: Option<Candidate> = None;
        for c in pool {
            if chosen
                .is_none_or(|b| (c.along_m - expected_m).abs() < (b.along_m - expected_m).abs())
            {
                chosen = Some(*c);
            }
        }
        chosen.map(|c| (closest, c))
    }
}

#[derive(Debug, Clone)]
struct PoiState {
    id: String,
    xy: Xy,
    radius_m: f64,
    along_m: f64,
    fired: bool,
}

#[derive(Debug, Clone)]
struct LandscapeState {
    id: String,
    ring: Vec<LonLat>,
    announced: bool,
}

/// The last accepted fix, in the plane, with its snap.
#[derive(Debug, Clone, Copy)]
struct Last {
    xy: Xy,
    along_m: f64,
    offset_m: f64,
}

/// The guidance state machine for one walk of one circuit.
#[derive(Debug, Clone)]
pub struct Guide {
    config: GuideConfig,
    /// `None` when the trace has no point: no plane to measure in.
    plane: Option<(TraceLocator, Path)>,
    /// Sorted by along distance, then id, for `next_poi`.
    pois: Vec<PoiState>,
    /// Sorted by id.
    landscapes: Vec<LandscapeState>,
    last: Option<Last>,
    off_count: u32,
    alerting: bool,
}

impl Guide {
    pub fn new(
        trace: &Trace,
        pois: Vec<GuidePoi>,
        landscapes: Vec<Landscape>,
        config: GuideConfig,
    ) -> Self {
        let plane = (trace.point_count() > 0).then(|| {
            let locator = TraceLocator::new(trace);
            let path = Path::new(&locator);
            (locator, path)
        });
        let mut poi_states: Vec<PoiState> = match &plane {
            Some((locator, path)) => pois
                .into_iter()
                .map(|p| {
                    let xy = locator.project(p.pos);
                    let along_m = path
                        .snap(xy, 0.0, None, &config)
                        .map_or(0.0, |(_, c)| c.along_m);
                    PoiState {
                        radius_m: p
                            .trigger_radius_m
                            .unwrap_or_else(|| default_trigger_radius_m(p.kind)),
                        id: p.id,
                        xy,
                        along_m,
                        fired: false,
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        poi_states.sort_by(|a, b| a.along_m.total_cmp(&b.along_m).then(a.id.cmp(&b.id)));
        let mut landscapes: Vec<LandscapeState> = landscapes
            .into_iter()
            .map(|l| LandscapeState {
                id: l.id,
                ring: l.ring,
                announced: false,
            })
            .collect();
        landscapes.sort_by(|a, b| a.id.cmp(&b.id));
        Self {
            config,
            plane,
            pois: poi_states,
            landscapes,
            last: None,
            off_count: 0,
            alerting: false,
        }
    }

    /// Applies one fix and returns the events it raises, in the order of the rules.
    pub fn update(&mut self, fix: Fix) -> Vec<GuideEvent> {
        // Written so that a NaN accuracy is refused too.
        let usable = fix.accuracy_m <= self.config.max_accuracy_m;
        if !usable {
            return Vec::new();
        }
        let mut events = Vec::new();
        let snapped = self.plane.as_ref().map(|(locator, path)| {
            let p = locator.project(fix.pos);
            // Where the walker should be if they kept walking forward along the trace.
            let (expected, previous) = match self.last {
                Some(l) => (l.along_m + dist(l.xy, p), Some(l.along_m)),
                None => (0.0, None),
            };
            (p, path.snap(p, expected, previous, &self.config))
        });
        if let Some((p, snap)) = snapped {
            if let Some((closest, chosen)) = snap {
                events.extend(self.route_event(p, closest, fix.accuracy_m));
                self.last = Some(Last {
                    xy: p,
                    along_m: chosen.along_m,
                    offset_m: closest.offset_m,
                });
            }
            events.extend(self.poi_events(p));
        }
        // A unit may come as several rings (a multipolygon) under one id: announced once.
        let mut entered: Vec<String> = self
            .landscapes
            .iter()
            .filter(|l| !l.announced && inside(fix.pos, &l.ring))
            .map(|l| l.id.clone())
            .collect();
        entered.dedup();
        for l in &mut self.landscapes {
            if entered.contains(&l.id) {
                l.announced = true;
            }
        }
        // Already sorted by id.
        events.extend(entered.into_iter().map(|id| GuideEvent::Landscape { id }));
        events
    }

    /// The off-route rule with its hysteresis.
    fn route_event(&mut self, p: Xy, closest: Candidate, accuracy_m: f64) -> Option<GuideEvent> {
        let c = &self.config;
        let offset = closest.offset_m;
        if self.alerting {
            if offset < c.back_on_route_m {
                self.alerting = false;
                self.off_count = 0;
                return Some(GuideEvent::BackOnRoute);
            }
            return None;
        }
        let threshold = c.off_route_m + accuracy_m.min(c.off_route_accuracy_cap_m) / 2.0;
        if offset > threshold {
            self.off_count += 1;
            if self.off_count >= c.off_route_fixes {
                self.alerting = true;
                return Some(GuideEvent::OffRoute {
                    distance_m: offset,
                    bearing_deg: bearing_deg(p, closest.point),
                });
            }
        } else {
            self.off_count = 0;
        }
        None
    }

    fn poi_events(&mut self, p: Xy) -> Vec<GuideEvent> {
        let mut fired: Vec<(f64, &str)> = Vec::new();
        for poi in &mut self.pois {
            if poi.fired {
                continue;
            }
            let d = dist(p, poi.xy);
            if d <= poi.radius_m {
                poi.fired = true;
                fired.push((d, poi.id.as_str()));
            }
        }
        fired.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        fired
            .into_iter()
            .map(|(_, id)| GuideEvent::Poi { id: id.to_owned() })
            .collect()
    }

    /// Progress after the last accepted fix; `None` before it or without a trace.
    pub fn progress(&self) -> Option<Progress> {
        let (_, path) = self.plane.as_ref()?;
        let last = self.last?;
        let done = last.along_m;
        let next_poi = self
            .pois
            .iter()
            .find(|p| !p.fired && p.along_m > done)
            .map(|p| (p.id.clone(), p.along_m - done));
        Some(Progress {
            done_m: done,
            remaining_m: (path.total_m - done).max(0.0),
            offset_m: last.offset_m,
            next_poi,
        })
    }

    /// Length of the trace by the guidance rule (projected segments, gaps not counted).
    pub fn total_m(&self) -> f64 {
        self.plane.as_ref().map_or(0.0, |(_, path)| path.total_m)
    }
}

/// Bearing in the plane from `from` to `to`: 0 = north, clockwise, in [0, 360).
fn bearing_deg(from: Xy, to: Xy) -> f64 {
    let mut b = (to.0 - from.0).atan2(to.1 - from.1).to_degrees();
    if b < 0.0 {
        b += 360.0;
    }
    // -1e-15 + 360 rounds to 360.
    if b >= 360.0 {
        b -= 360.0;
    }
    b
}

/// Ray casting (even-odd) on lon/lat; the ring may be closed or not.
fn inside(pos: LonLat, ring: &[LonLat]) -> bool {
    let (x, y) = (pos.lon(), pos.lat());
    let mut is_inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for (i, vi) in ring.iter().enumerate() {
        let vj = ring[j];
        let (xi, yi, xj, yj) = (vi.lon(), vi.lat(), vj.lon(), vj.lat());
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            is_inside = !is_inside;
        }
        j = i;
    }
    is_inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TracePoint;
    use crate::geometry::trace_stats;

    const LAT0: f64 = 48.5;
    const LON0: f64 = 2.9;
    // Metres per degree of latitude in the guide's plane.
    const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

    /// A position `east` and `north` metres from (LON0, LAT0), in the plane of a trace
    /// centred near LAT0 + 0.005 (the straight trace below).
    fn at(east: f64, north: f64) -> LonLat {
        let cos = (LAT0 + 0.005f64).to_radians().cos();
        LonLat::new(LON0 + east / (M_PER_DEG * cos), LAT0 + north / M_PER_DEG).unwrap()
    }

    /// A straight trace 1,112 m due north from (LON0, LAT0), a point every ~111 m.
    fn north_trace() -> Trace {
        Trace {
            segments: vec![
                (0..=10)
                    .map(|i| TracePoint {
                        pos: LonLat::new(LON0, LAT0 + i as f64 * 0.001).unwrap(),
                        ele: None,
                    })
                    .collect(),
            ],
        }
    }

    fn fix(east: f64, north: f64, accuracy_m: f64) -> Fix {
        Fix {
            pos: at(east, north),
            accuracy_m,
            t: 0.0,
        }
    }

    fn poi(id: &str, kind: PoiKind, east: f64, north: f64, r: Option<f64>) -> GuidePoi {
        GuidePoi {
            id: id.into(),
            kind,
            pos: at(east, north),
            trigger_radius_m: r,
        }
    }

    fn guide(pois: Vec<GuidePoi>) -> Guide {
        Guide::new(&north_trace(), pois, Vec::new(), GuideConfig::default())
    }

    #[test]
    fn projected_length_is_close_to_geodesic() {
        let g = guide(Vec::new());
        let geodesic = trace_stats(&north_trace()).length_m;
        // North-south, sphere and ellipsoid agree to 0.01 % at this latitude.
        assert!(
            (g.total_m() - geodesic).abs() / geodesic < 1e-4,
            "{}",
            g.total_m()
        );
        assert!((g.total_m() - 10.0 * 0.001 * M_PER_DEG).abs() < 1e-6);
        // East-west, the sphere is ~0.3 % short.
        let east = Trace {
            segments: vec![
                (0..=10)
                    .map(|i| TracePoint {
                        pos: LonLat::new(LON0 + i as f64 * 0.001, LAT0).unwrap(),
                        ele: None,
                    })
                    .collect(),
            ],
        };
        let g = Guide::new(&east, Vec::new(), Vec::new(), GuideConfig::default());
        let geodesic = trace_stats(&east).length_m;
        let short = (geodesic - g.total_m()) / geodesic;
        assert!((0.002..0.004).contains(&short), "{short}");
    }

    #[test]
    fn vague_fixes_are_ignored_entirely() {
        let mut g = guide(vec![poi("p", PoiKind::Heritage, 0.0, 500.0, None)]);
        // A vague first fix leaves the guide as it was: no progress yet.
        assert!(g.update(fix(0.0, 490.0, 60.0)).is_empty());
        assert_eq!(g.progress(), None);
        assert!(g.update(fix(0.0, 100.0, 5.0)).is_empty());
        let before = g.progress().unwrap();
        // Right on the POI, far along: would fire and move progress if accepted.
        assert!(g.update(fix(0.0, 500.0, 50.1)).is_empty());
        assert!(g.update(fix(0.0, 500.0, f64::NAN)).is_empty());
        assert_eq!(g.progress().unwrap(), before);
        // Two off fixes, a vague fix on the trace (would reset), one more off fix: alert.
        assert!(g.update(fix(80.0, 110.0, 5.0)).is_empty());
        assert!(g.update(fix(80.0, 120.0, 5.0)).is_empty());
        assert!(g.update(fix(0.0, 125.0, 120.0)).is_empty());
        let ev = g.update(fix(80.0, 130.0, 5.0));
        assert!(matches!(ev[..], [GuideEvent::OffRoute { .. }]), "{ev:?}");
        // Exactly 50 m of accuracy is usable.
        let ev = g.update(fix(0.0, 480.0, 50.0));
        assert_eq!(
            ev,
            vec![GuideEvent::BackOnRoute, GuideEvent::Poi { id: "p".into() }]
        );
    }

    #[test]
    fn poi_radius_by_kind_or_own_and_fires_once() {
        let mut g = guide(vec![
            poi("church", PoiKind::Heritage, 0.0, 300.0, None),
            poi("view", PoiKind::Viewpoint, 0.0, 600.0, None),
            poi("bench", PoiKind::Practical, 0.0, 900.0, Some(10.0)),
        ]);
        assert!(g.update(fix(0.0, 239.0, 5.0)).is_empty(), "61 m > 60 m");
        let ev = g.update(fix(0.0, 241.0, 5.0));
        assert_eq!(
            ev,
            vec![GuideEvent::Poi {
                id: "church".into()
            }]
        );
        assert!(g.update(fix(0.0, 300.0, 5.0)).is_empty(), "once only");
        assert!(g.update(fix(0.0, 499.0, 5.0)).is_empty(), "101 m > 100 m");
        assert_eq!(g.update(fix(0.0, 501.0, 5.0)).len(), 1);
        assert!(g.update(fix(0.0, 889.0, 5.0)).is_empty(), "own radius 10 m");
        assert_eq!(
            g.update(fix(0.0, 891.0, 5.0)),
            vec![GuideEvent::Poi { id: "bench".into() }]
        );
        assert_eq!(default_trigger_radius_m(PoiKind::Food), 80.0);
        assert_eq!(default_trigger_radius_m(PoiKind::Landscape), 150.0);
    }

    #[test]
    fn pois_on_the_same_fix_come_nearest_first_then_by_id() {
        let mut g = guide(vec![
            // The nearest (10 m), though last by along: first.
            poi("z", PoiKind::Heritage, 0.0, 510.0, None),
            // Same place, same distance (20 m): the id decides.
            poi("b", PoiKind::Heritage, 0.0, 480.0, None),
            poi("a", PoiKind::Heritage, 0.0, 480.0, None),
        ]);
        let ids: Vec<_> = g
            .update(fix(0.0, 500.0, 5.0))
            .into_iter()
            .map(|e| match e {
                GuideEvent::Poi { id } => id,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(ids, ["z", "a", "b"]);
    }

    #[test]
    fn off_route_needs_three_consecutive_off_fixes() {
        let mut g = guide(Vec::new());
        // Accuracy 4 m: threshold 42 m. Accuracy 30 m: capped at 20, threshold 50 m.
        assert!(g.update(fix(45.0, 100.0, 4.0)).is_empty());
        assert!(g.update(fix(45.0, 110.0, 4.0)).is_empty());
        assert!(
            g.update(fix(45.0, 120.0, 30.0)).is_empty(),
            "not off: resets"
        );
        assert!(g.update(fix(45.0, 130.0, 4.0)).is_empty());
        assert!(g.update(fix(45.0, 140.0, 4.0)).is_empty());
        let ev = g.update(fix(45.0, 150.0, 4.0));
        let [
            GuideEvent::OffRoute {
                distance_m,
                bearing_deg,
            },
        ] = ev[..]
        else {
            panic!("{ev:?}");
        };
        assert!((distance_m - 45.0).abs() < 0.2, "{distance_m}");
        // East of a north-going trace: the way back is due west.
        assert!((bearing_deg - 270.0).abs() < 0.5, "{bearing_deg}");
        assert!(
            g.update(fix(90.0, 160.0, 4.0)).is_empty(),
            "no second alert"
        );
    }

    #[test]
    fn hysteresis_between_back_and_off_thresholds() {
        let mut g = guide(Vec::new());
        for n in 0..3 {
            g.update(fix(-60.0, 100.0 + n as f64 * 10.0, 5.0));
        }
        // Between 25 m and the threshold: still alerting, nothing said.
        assert!(g.update(fix(-30.0, 140.0, 5.0)).is_empty());
        assert!(g.update(fix(-25.5, 150.0, 5.0)).is_empty());
        assert!(g.update(fix(-44.0, 160.0, 5.0)).is_empty());
        assert_eq!(
            g.update(fix(-24.5, 170.0, 5.0)),
            vec![GuideEvent::BackOnRoute]
        );
        // The count starts again from zero.
        assert!(g.update(fix(-60.0, 180.0, 5.0)).is_empty());
        assert!(g.update(fix(-60.0, 190.0, 5.0)).is_empty());
        assert_eq!(g.update(fix(-60.0, 200.0, 5.0)).len(), 1);
    }

    #[test]
    fn bearing_points_back_to_the_closest_point() {
        assert!((bearing_deg((0.0, 0.0), (0.0, 10.0)) - 0.0).abs() < 1e-9);
        assert!((bearing_deg((0.0, 0.0), (10.0, 0.0)) - 90.0).abs() < 1e-9);
        assert!((bearing_deg((0.0, 0.0), (0.0, -10.0)) - 180.0).abs() < 1e-9);
        assert!((bearing_deg((0.0, 0.0), (-10.0, 10.0)) - 315.0).abs() < 1e-9);
        assert_eq!(bearing_deg((1.0, 1.0), (1.0, 1.0)), 0.0);
    }

    // Snapping and progress, walking back, the backtrack limit and the passes of loops and
    // out-and-backs are proven on both runtimes by the shared vectors in `fixtures/guidance/`
    // (snap-noisy-offsets, backtrack-walk-back, backtrack-limit-jump, loop-figure-eight,
    // out-and-back-drift, spur-sparse-fixes, poi-passed-twice), not here.

    fn square(id: &str, e0: f64, n0: f64, e1: f64, n1: f64) -> Landscape {
        Landscape {
            id: id.into(),
            name: id.into(),
            ring: vec![at(e0, n0), at(e1, n0), at(e1, n1), at(e0, n1), at(e0, n0)],
        }
    }

    #[test]
    fn landscapes_are_announced_once_by_id() {
        let ls = vec![
            square("wood", -50.0, 200.0, 50.0, 400.0),
            square("valley", -50.0, 300.0, 50.0, 600.0),
            square("field", 100.0, 0.0, 200.0, 100.0),
        ];
        let mut g = Guide::new(&north_trace(), Vec::new(), ls, GuideConfig::default());
        assert!(g.update(fix(0.0, 150.0, 5.0)).is_empty());
        assert_eq!(
            g.update(fix(0.0, 250.0, 5.0)),
            vec![GuideEvent::Landscape { id: "wood".into() }]
        );
        assert_eq!(
            g.update(fix(0.0, 350.0, 5.0)),
            vec![GuideEvent::Landscape {
                id: "valley".into()
            }]
        );
        assert!(g.update(fix(0.0, 650.0, 5.0)).is_empty());
        assert!(g.update(fix(0.0, 350.0, 5.0)).is_empty(), "re-entered");
    }

    #[test]
    fn a_unit_in_several_rings_is_announced_once() {
        let (a, b) = (
            square("twin", -50.0, 0.0, 50.0, 100.0),
            square("twin", -50.0, 300.0, 50.0, 400.0),
        );
        let mut g = Guide::new(
            &north_trace(),
            Vec::new(),
            vec![a, b],
            GuideConfig::default(),
        );
        let first = g.update(fix(0.0, 50.0, 5.0));
        assert_eq!(first, vec![GuideEvent::Landscape { id: "twin".into() }]);
        assert!(
            g.update(fix(0.0, 350.0, 5.0)).is_empty(),
            "the other ring of the same unit"
        );
    }

    #[test]
    fn several_landscapes_on_one_fix_by_id() {
        let ls = vec![
            square("b", -50.0, 200.0, 50.0, 400.0),
            square("a", -60.0, 200.0, 60.0, 400.0),
        ];
        let mut g = Guide::new(&north_trace(), Vec::new(), ls, GuideConfig::default());
        let ev = g.update(fix(0.0, 300.0, 5.0));
        assert_eq!(
            ev,
            vec![
                GuideEvent::Landscape { id: "a".into() },
                GuideEvent::Landscape { id: "b".into() }
            ]
        );
    }

    #[test]
    fn point_in_concave_polygon() {
        // A "U": two arms joined at the bottom.
        let u = [
            at(0.0, 0.0),
            at(300.0, 0.0),
            at(300.0, 300.0),
            at(200.0, 300.0),
            at(200.0, 100.0),
            at(100.0, 100.0),
            at(100.0, 300.0),
            at(0.0, 300.0),
        ];
        assert!(inside(at(50.0, 200.0), &u));
        assert!(inside(at(250.0, 200.0), &u));
        assert!(inside(at(150.0, 50.0), &u));
        assert!(!inside(at(150.0, 200.0), &u), "in the notch");
        assert!(!inside(at(350.0, 50.0), &u));
        assert!(!inside(at(150.0, -1.0), &u));
        assert!(!inside(at(0.0, 0.0), &[]));
    }

    #[test]
    fn events_serialize_as_in_the_vectors() {
        let json = serde_json::to_value(vec![
            GuideEvent::Poi { id: "x".into() },
            GuideEvent::OffRoute {
                distance_m: 50.0,
                bearing_deg: 90.0,
            },
            GuideEvent::BackOnRoute,
            GuideEvent::Landscape { id: "y".into() },
        ])
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"type": "poi", "id": "x"},
                {"type": "off_route", "distance_m": 50.0, "bearing_deg": 90.0},
                {"type": "back_on_route"},
                {"type": "landscape", "id": "y"},
            ])
        );
    }

    #[test]
    fn config_reads_partial_overrides() {
        let c: GuideConfig = serde_json::from_str(r#"{"off_route_fixes": 5}"#).unwrap();
        assert_eq!(c.off_route_fixes, 5);
        assert_eq!(c.off_route_m, 40.0);
        assert!(serde_json::from_str::<GuideConfig>(r#"{"off_route": 5}"#).is_err());
    }

    #[test]
    fn empty_trace_only_announces_landscapes() {
        let mut g = Guide::new(
            &Trace::default(),
            vec![poi("p", PoiKind::Heritage, 0.0, 0.0, None)],
            vec![square("l", -10.0, -10.0, 10.0, 10.0)],
            GuideConfig::default(),
        );
        let ev = g.update(fix(0.0, 0.0, 5.0));
        assert_eq!(ev, vec![GuideEvent::Landscape { id: "l".into() }]);
        assert_eq!(g.progress(), None);
        assert_eq!(g.total_m(), 0.0);
    }

    #[test]
    fn gaps_between_segments_do_not_count() {
        let a: Vec<TracePoint> = (0..=2)
            .map(|i| TracePoint {
                pos: at(0.0, i as f64 * 100.0),
                ele: None,
            })
            .collect();
        let b: Vec<TracePoint> = (4..=6)
            .map(|i| TracePoint {
                pos: at(0.0, i as f64 * 100.0),
                ele: None,
            })
            .collect();
        let mut g = Guide::new(
            &Trace {
                segments: vec![a, b],
            },
            Vec::new(),
            Vec::new(),
            GuideConfig::default(),
        );
        assert!((g.total_m() - 400.0).abs() < 2.0, "{}", g.total_m());
        g.update(fix(0.0, 150.0, 5.0));
        // 50 m into the second segment: 200 m of the first plus 50.
        g.update(fix(0.0, 450.0, 5.0));
        let d = g.progress().unwrap().done_m;
        assert!((d - 250.0).abs() < 2.0, "{d}");
    }
}
