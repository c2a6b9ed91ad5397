//! How far from the trace a POI still counts as "along" a circuit, kind by kind: a
//! chapel 150 m off the path is worth the detour, a bakery in the next village may be
//! too (`balade serve --corridor food=400`).

use crate::domain::PoiKind;
use std::str::FromStr;

/// The corridor of every kind unless configured otherwise.
pub const DEFAULT_CORRIDOR_M: f64 = 150.0;
/// Wider corridors would list half a valley as "along" a walk.
pub const MAX_CORRIDOR_M: f64 = 2_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corridors {
    widths: [f64; PoiKind::ALL.len()],
}

impl Default for Corridors {
    fn default() -> Self {
        Self {
            widths: [DEFAULT_CORRIDOR_M; PoiKind::ALL.len()],
        }
    }
}

fn slot(kind: PoiKind) -> usize {
    PoiKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Corridors {
    pub fn width(&self, kind: PoiKind) -> f64 {
        self.widths[slot(kind)]
    }
    /// The widest corridor: how far to search before filtering kind by kind.
    pub fn widest(&self) -> f64 {
        self.widths.iter().copied().fold(0.0, f64::max)
    }
    pub fn with(mut self, kind: PoiKind, width_m: f64) -> Self {
        self.widths[slot(kind)] = width_m;
        self
    }
    /// Whether a POI of `kind` at `distance_m` from the trace is along it.
    pub fn holds(&self, kind: PoiKind, distance_m: f64) -> bool {
        distance_m <= self.width(kind)
    }
}

/// One `KIND=METRES` setting, as the command line gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorridorSetting(pub PoiKind, pub f64);

impl FromStr for CorridorSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, metres) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}`: expected KIND=METRES, e.g. food=400"))?;
        let kind: PoiKind = kind.trim().parse().map_err(|e| format!("`{s}`: {e}"))?;
        let metres: f64 = metres
            .trim()
            .parse()
            .ok()
            .filter(|m: &f64| (0.0..=MAX_CORRIDOR_M).contains(m))
            .ok_or_else(|| format!("`{s}`: the width must be 0 to {MAX_CORRIDOR_M} metres"))?;
        Ok(Self(kind, metres))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_per_kind_and_settings() {
        let c = Corridors::default().with(PoiKind::Food, 400.0);
        assert_eq!(c.width(PoiKind::Heritage), DEFAULT_CORRIDOR_M);
        assert_eq!(c.width(PoiKind::Food), 400.0);
        assert_eq!(c.widest(), 400.0);
        assert!(c.holds(PoiKind::Food, 399.0) && !c.holds(PoiKind::Heritage, 151.0));
        assert_eq!(
            "practical=300".parse(),
            Ok(CorridorSetting(PoiKind::Practical, 300.0))
        );
        assert!("food".parse::<CorridorSetting>().is_err());
        assert!(
            "food=9000"
                .parse::<CorridorSetting>()
                .unwrap_err()
                .contains("2000")
        );
        assert!(
            "boat=10"
                .parse::<CorridorSetting>()
                .unwrap_err()
                .contains("boat")
        );
    }
}
