//! Runs every shared guidance vector (`fixtures/guidance/*.json`) through the Rust guide.
//! `pwa/tests/guidance.test.mjs` runs the same files through the JS guide: both must give
//! the expected events.

use balade_core::guidance::{
    Fix, Guide, GuideConfig, GuideEvent, GuidePoi, Landscape as GuideLandscape,
};
use balade_core::{LonLat, PoiKind, Trace, TracePoint};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    description: String,
    trace: Option<Vec<[f64; 2]>>,
    segments: Option<Vec<Vec<[f64; 2]>>>,
    pois: Vec<VecPoi>,
    landscapes: Vec<VecLandscape>,
    #[serde(default)]
    config: GuideConfig,
    fixes: Vec<VecFix>,
    expected: Vec<Expected>,
    #[serde(default)]
    progress: Vec<ProgressCheck>,
    tolerance_m: Option<f64>,
    tolerance_deg: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VecPoi {
    id: String,
    kind: PoiKind,
    lon: f64,
    lat: f64,
    trigger_radius_m: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VecLandscape {
    id: String,
    name: String,
    polygon: Vec<[f64; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VecFix {
    lon: f64,
    lat: f64,
    accuracy: f64,
    t: f64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Expected {
    fix: usize,
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    distance_m: Option<f64>,
    bearing_deg: Option<f64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ProgressCheck {
    fix: usize,
    done_m: f64,
    remaining_m: f64,
    /// Distance from the fix to the closest point of the trace; absent: not checked.
    offset_m: Option<f64>,
    /// Absent: not checked; `null`: no POI ahead.
    #[serde(default, deserialize_with = "some_even_if_null")]
    next_poi: Option<Option<NextPoi>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct NextPoi {
    id: String,
    distance_m: f64,
}

/// Tells a `null` field apart from a missing one.
fn some_even_if_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<NextPoi>>, D::Error> {
    Option::<NextPoi>::deserialize(d).map(Some)
}

fn lonlat(p: [f64; 2]) -> LonLat {
    LonLat::new(p[0], p[1]).expect("valid position in vector")
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/guidance")
}

/// Runs one vector; returns the list of mismatches (empty when it passes).
fn run(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read vector");
    let v: Vector = serde_json::from_str(&text).expect("parse vector");
    assert!(!v.description.is_empty());
    let segments = match (v.trace, v.segments) {
        (Some(t), None) => vec![t],
        (None, Some(s)) => s,
        _ => panic!("a vector has either `trace` or `segments`"),
    };
    let trace = Trace {
        segments: segments
            .into_iter()
            .map(|s| {
                s.into_iter()
                    .map(|p| TracePoint {
                        pos: lonlat(p),
                        ele: None,
                    })
                    .collect()
            })
            .collect(),
    };
    let pois = v
        .pois
        .into_iter()
        .map(|p| GuidePoi {
            id: p.id,
            kind: p.kind,
            pos: lonlat([p.lon, p.lat]),
            trigger_radius_m: p.trigger_radius_m,
        })
        .collect();
    let landscapes = v
        .landscapes
        .into_iter()
        .map(|l| GuideLandscape {
            id: l.id,
            name: l.name,
            ring: l.polygon.into_iter().map(lonlat).collect(),
        })
        .collect();
    let tol_m = v.tolerance_m.unwrap_or(5.0);
    let tol_deg = v.tolerance_deg.unwrap_or(10.0);
    let mut guide = Guide::new(&trace, pois, landscapes, v.config);

    let mut got: Vec<(usize, GuideEvent)> = Vec::new();
    let mut progress = Vec::new();
    for (i, f) in v.fixes.iter().enumerate() {
        let events = guide.update(Fix {
            pos: lonlat([f.lon, f.lat]),
            accuracy_m: f.accuracy,
            t: f.t,
        });
        got.extend(events.into_iter().map(|e| (i, e)));
        progress.push(guide.progress());
    }

    let mut errors = Vec::new();
    if got.len() != v.expected.len() {
        errors.push(format!(
            "{} events, expected {}",
            got.len(),
            v.expected.len()
        ));
    }
    for (k, ((fix, event), want)) in got.iter().zip(&v.expected).enumerate() {
        let ok = *fix == want.fix
            && match event {
                GuideEvent::Poi { id } => want.kind == "poi" && want.id.as_ref() == Some(id),
                GuideEvent::Landscape { id } => {
                    want.kind == "landscape" && want.id.as_ref() == Some(id)
                }
                GuideEvent::BackOnRoute => want.kind == "back_on_route",
                GuideEvent::OffRoute {
                    distance_m,
                    bearing_deg,
                } => {
                    want.kind == "off_route"
                        && want
                            .distance_m
                            .is_some_and(|d| (d - distance_m).abs() <= tol_m)
                        && want
                            .bearing_deg
                            .is_some_and(|b| angle_between(b, *bearing_deg) <= tol_deg)
                }
            };
        if !ok {
            errors.push(format!(
                "event {k}: got fix {fix} {event:?}, expected {want:?}"
            ));
        }
    }
    for extra in got.iter().skip(v.expected.len()) {
        errors.push(format!("unexpected event {extra:?}"));
    }
    for check in &v.progress {
        let Some(Some(p)) = progress.get(check.fix) else {
            errors.push(format!("no progress at fix {}", check.fix));
            continue;
        };
        if (p.done_m - check.done_m).abs() > tol_m
            || (p.remaining_m - check.remaining_m).abs() > tol_m
        {
            errors.push(format!("progress {check:?}: got {p:?}"));
        }
        if check
            .offset_m
            .is_some_and(|o| (p.offset_m - o).abs() > tol_m)
        {
            errors.push(format!("offset {check:?}: got {p:?}"));
        }
        if let Some(want) = &check.next_poi {
            let same = match (want, &p.next_poi) {
                (None, None) => true,
                (Some(w), Some((id, d))) => w.id == *id && (w.distance_m - d).abs() <= tol_m,
                _ => false,
            };
            if !same {
                errors.push(format!("next POI {check:?}: got {:?}", p.next_poi));
            }
        }
    }
    errors
}

fn angle_between(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

#[test]
fn every_shared_vector_gives_the_expected_events() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("fixtures/guidance")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 12, "vectors found: {paths:?}");
    let mut failures = Vec::new();
    for path in &paths {
        let errors = run(path);
        if !errors.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), errors.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_required_vectors_are_there() {
    for name in [
        "walk-whole-circuit",
        "detour-alerts-once",
        "jitter-near-threshold",
        "low-accuracy-burst",
        "poi-passed-twice",
        "landscape-entry",
        "snap-noisy-offsets",
        "backtrack-walk-back",
        "backtrack-limit-jump",
        "loop-figure-eight",
        "out-and-back-drift",
        "spur-sparse-fixes",
    ] {
        assert!(
            vectors_dir().join(format!("{name}.json")).is_file(),
            "{name}"
        );
    }
}
