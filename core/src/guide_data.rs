//! The input of the guidance rules for one circuit, built in one place: the phone gets it
//! as JSON (`GET /api/v1/circuits/{id}/guide`, and inside offline packages) and feeds it
//! to `createGuide()`; the server's push sessions turn the very same value into a
//! [`Guide`]. Whatever one runtime guides on, the other does too.

use crate::domain::{Circuit, Landscape, LonLat, PoiKind, Trace, TracePoint};
use crate::guidance::{self, Guide, GuideConfig, GuidePoi};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A POI as guidance needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct GuidePoiData {
    pub id: String,
    /// `heritage`, `fauna`, … (see the POI kinds).
    #[cfg_attr(feature = "schema", schema(value_type = String))]
    pub kind: PoiKind,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// The POI's own trigger radius; `null` means its kind's default.
    pub trigger_radius_m: Option<f64>,
}

/// A landscape unit's outer ring, as the guidance rules take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct GuideLandscape {
    pub id: String,
    pub name: String,
    /// `[[lon, lat], …]`.
    pub polygon: Vec<[f64; 2]>,
}

/// Everything the guidance rules need for one circuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct GuideData {
    pub circuit: String,
    /// `[[[lon, lat], …], …]`, one array per non-empty segment.
    pub segments: Vec<Vec<[f64; 2]>>,
    /// The POIs along the circuit (see the application's `along`).
    pub pois: Vec<GuidePoiData>,
    /// The units the trace crosses, one entry per outer ring (a unit in several
    /// polygons repeats its id; the rules announce it once).
    pub landscapes: Vec<GuideLandscape>,
    /// Overrides of the rules' thresholds by name (none: the defaults).
    pub config: BTreeMap<String, f64>,
    pub length_m: f64,
    pub duration_min: u32,
}

impl GuideData {
    /// The guidance input of `circuit` with `pois` (already chosen along it, names in
    /// the walker's language) and the landscape units it crosses.
    pub fn new(
        circuit: &Circuit,
        pois: impl IntoIterator<Item = GuidePoiData>,
        landscapes: &[&Landscape],
    ) -> Self {
        Self {
            circuit: circuit.id.to_string(),
            segments: circuit
                .trace
                .segments
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.iter().map(|p| [p.pos.lon(), p.pos.lat()]).collect())
                .collect(),
            pois: pois.into_iter().collect(),
            landscapes: landscapes
                .iter()
                .flat_map(|l| {
                    l.polygons
                        .iter()
                        .filter_map(|rings| rings.first())
                        .map(|outer| GuideLandscape {
                            id: l.id.to_string(),
                            name: l.name.clone(),
                            polygon: outer.iter().map(|p| [p.lon(), p.lat()]).collect(),
                        })
                })
                .collect(),
            config: BTreeMap::new(),
            length_m: circuit.stats.length_m.round(),
            duration_min: circuit.duration_min,
        }
    }

    /// The state machine that guides a walk on this input, as the phone builds it.
    /// Positions that are not valid coordinates are left out (the value may come from
    /// outside).
    pub fn guide(&self) -> Guide {
        let pos = |[lon, lat]: [f64; 2]| LonLat::new(lon, lat).ok();
        let trace = Trace {
            segments: self
                .segments
                .iter()
                .map(|s| {
                    s.iter()
                        .filter_map(|p| pos(*p))
                        .map(|pos| TracePoint { pos, ele: None })
                        .collect()
                })
                .collect(),
        };
        let pois = self
            .pois
            .iter()
            .filter_map(|p| {
                Some(GuidePoi {
                    id: p.id.clone(),
                    kind: p.kind,
                    pos: pos([p.lon, p.lat])?,
                    trigger_radius_m: p.trigger_radius_m,
                })
            })
            .collect();
        let landscapes = self
            .landscapes
            .iter()
            .map(|l| guidance::Landscape {
                id: l.id.clone(),
                name: l.name.clone(),
                ring: l.polygon.iter().filter_map(|p| pos(*p)).collect(),
            })
            .collect();
        Guide::new(&trace, pois, landscapes, self.config())
    }

    /// The rules' thresholds: the defaults with this input's overrides.
    pub fn config(&self) -> GuideConfig {
        let mut config = GuideConfig::default();
        for (name, value) in &self.config {
            let slot = match name.as_str() {
                "max_accuracy_m" => &mut config.max_accuracy_m,
                "off_route_m" => &mut config.off_route_m,
                "off_route_accuracy_cap_m" => &mut config.off_route_accuracy_cap_m,
                "back_on_route_m" => &mut config.back_on_route_m,
                "snap_window_m" => &mut config.snap_window_m,
                "max_backtrack_m" => &mut config.max_backtrack_m,
                "off_route_fixes" => {
                    config.off_route_fixes = *value as u32;
                    continue;
                }
                _ => continue,
            };
            *slot = *value;
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LandscapeId, Practice};
    use crate::guidance::{Fix, GuideEvent};
    use crate::store::testing;

    fn ll(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).expect("position")
    }

    #[test]
    fn the_guide_built_from_the_data_follows_the_circuit() {
        let trace = Trace {
            segments: vec![
                vec![],
                (0..=10)
                    .map(|i| TracePoint {
                        pos: ll(2.7 + f64::from(i) * 0.001, 48.4),
                        ele: Some(100.0),
                    })
                    .collect(),
            ],
        };
        let circuit = testing::circuit("c", Practice::Walk, trace);
        let unit = Landscape {
            id: LandscapeId::new("plaine").expect("id"),
            source: "t".into(),
            name: "Plaine".into(),
            description: String::new(),
            polygons: vec![vec![vec![
                ll(2.69, 48.39),
                ll(2.72, 48.39),
                ll(2.72, 48.41),
                ll(2.69, 48.41),
            ]]],
        };
        let poi = GuidePoiData {
            id: "p".into(),
            kind: PoiKind::Heritage,
            name: "Chapelle".into(),
            lon: 2.705,
            lat: 48.4001,
            trigger_radius_m: None,
        };
        let data = GuideData::new(&circuit, [poi], &[&unit]);
        assert_eq!(data.segments.len(), 1, "empty segments are left out");
        assert_eq!(data.landscapes.len(), 1);
        let json = serde_json::to_value(&data).expect("json");
        assert_eq!(json["config"], serde_json::json!({}));
        let back: GuideData = serde_json::from_value(json).expect("read back");
        assert_eq!(back, data);

        let mut guide = back.guide();
        let fix = |lon| Fix {
            pos: ll(lon, 48.4),
            accuracy_m: 5.0,
            t: 0.0,
        };
        assert_eq!(
            guide.update(fix(2.7)),
            [GuideEvent::Landscape {
                id: "plaine".into()
            }]
        );
        assert_eq!(
            guide.update(fix(2.705)),
            [GuideEvent::Poi { id: "p".into() }]
        );
        let done = guide.progress().expect("progress").done_m;
        assert!((done - 368.0).abs() < 5.0, "{done}");
    }

    #[test]
    fn overrides_change_the_thresholds() {
        let circuit = testing::circuit("c", Practice::Walk, Trace::default());
        let mut data = GuideData::new(&circuit, [], &[]);
        data.config.insert("off_route_m".into(), 60.0);
        data.config.insert("off_route_fixes".into(), 5.0);
        let config = data.config();
        assert_eq!(config.off_route_m, 60.0);
        assert_eq!(config.off_route_fixes, 5);
        assert_eq!(
            config.back_on_route_m,
            GuideConfig::default().back_on_route_m
        );
    }
}
