//! The ascent rule on real recordings: a GPS-elevation track full of noise, and a
//! barometric one whose climbs are real.

use balade_core::geometry::ascent_descent;
use std::path::{Path, PathBuf};

fn shared(sub: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(sub);
    assert!(p.exists(), "test data missing: {}", p.display());
    p
}

/// Raw sum of rises, smoothed ascent and descent, first elevation, and the net change
/// (last minus first elevation of each segment, summed: gaps are not walked).
fn figures(file: &Path) -> (f64, f64, f64, f64, f64) {
    let bytes = std::fs::read(file).expect("read");
    let parsed = balade_import::gpx::parse(file, &bytes, false).expect("a circuit");
    let trace = &parsed.circuit.trace;
    let (mut raw_up, mut up, mut down, mut net) = (0.0, 0.0, 0.0, 0.0);
    for seg in &trace.segments {
        let eles: Vec<f64> = seg.iter().filter_map(|p| p.ele).collect();
        raw_up += eles.windows(2).map(|w| (w[1] - w[0]).max(0.0)).sum::<f64>();
        net += eles.last().unwrap_or(&0.0) - eles.first().unwrap_or(&0.0);
        let (u, d) = ascent_descent(seg);
        up += u;
        down += d;
    }
    let first = trace.points().find_map(|p| p.ele).expect("elevations");
    (raw_up, up, down, first, net)
}

#[test]
fn noisy_gps_elevations_are_smoothed() {
    // Blue Hills: 53 km recorded with GPS elevations (32 to 216 m) that wobble a few
    // metres from fix to fix; the raw sum of rises counts every wobble.
    let (raw_up, up, down, first, net) = figures(&shared("gpx/npm-togeojson-0.4.1/blue_hills.gpx"));
    assert!(
        raw_up > 1_200.0,
        "the recording is as noisy as expected: {raw_up}"
    );
    assert!(
        up < raw_up * 0.8,
        "smoothing removes the jitter: {up} of {raw_up}"
    );
    assert!(up > raw_up * 0.5, "but not the hills: {up} of {raw_up}");
    assert!(up > 216.0 - first, "and keeps the climb to the top: {up}");
    // What goes up comes down: the difference is the net change, within the smoothing's
    // edge effect at each end of each segment.
    assert!(
        ((up - down) - net).abs() < 25.0,
        "up {up} down {down} net {net}"
    );
}

#[test]
fn barometric_elevations_keep_their_climbs() {
    // A Garmin recording with a barometric altimeter: smooth, nearly every rise is real.
    let (raw_up, up, down, _, net) = figures(&shared("gpx/crate-gpx-0.10.0/garmin-activity.gpx"));
    assert!(up > raw_up * 0.6 && up < raw_up, "{up} of {raw_up}");
    assert!(
        ((up - down) - net).abs() < 15.0,
        "up {up} down {down} net {net}"
    );
}
