//! "Along the circuit", defined once. The sheet lists these POIs, the offline package
//! carries them, the guidance input (for the phone and for push sessions) announces
//! them: a walker never meets on the trail a POI the sheet did not show, nor misses one
//! it did.
//!
//! The POIs along a circuit are the ones its own source brought (a GPX file's
//! waypoints) that have a position, and every POI within its kind's corridor of the
//! trace ([`Corridors`]: 150 m unless configured), in walking order: by the distance
//! walked from the start to the trace's point closest to the POI, then by id. A POI the
//! sensitivity list withholds a position from is never along anything.

use crate::AppResult;
use crate::catalog::Catalog;
use balade_core::corridor::Corridors;
use balade_core::geometry::{TraceLocator, distance_m};
use balade_core::guide_data::GuidePoiData;
use balade_core::store::Store;
use balade_core::{Circuit, LonLat, Poi, PoiId};
use std::collections::HashSet;

/// A POI along a circuit, placed on its trace.
#[derive(Debug, Clone, PartialEq)]
pub struct AlongPoi {
    pub poi: Poi,
    pub pos: LonLat,
    /// Distance walked from the start to the trace's point closest to the POI.
    pub along_m: f64,
    /// Distance from the trace to the POI.
    pub offset_m: f64,
}

impl AlongPoi {
    /// What guidance needs of it, with its name in `lang`.
    pub fn guide_poi(&self, lang: &str) -> GuidePoiData {
        GuidePoiData {
            id: self.poi.id.to_string(),
            kind: self.poi.kind,
            name: self.poi.clone().in_language(lang).name,
            lon: self.pos.lon(),
            lat: self.pos.lat(),
            trigger_radius_m: None,
        }
    }
}

/// The POIs along `circuit` (see the module's rule), read in two queries whatever their
/// number: its own, then the corridor's others. A POI the index still holds but the
/// store no longer has is left out.
pub async fn along(
    store: &dyn Store,
    catalog: &Catalog,
    circuit: &Circuit,
    corridors: &Corridors,
) -> AppResult<Vec<AlongPoi>> {
    let mut pois = store.circuit_pois(&circuit.id).await?;
    let own: HashSet<PoiId> = pois.iter().map(|p| p.id.clone()).collect();
    let near: Vec<PoiId> = catalog
        .index()
        .along(&circuit.trace, corridors)
        .into_iter()
        .filter(|h| !own.contains(&h.item.id))
        .map(|h| h.item.id.clone())
        .collect();
    pois.extend(store.pois(&near).await?);
    let pois = pois
        .into_iter()
        .filter_map(|p| catalog.protect(p))
        .collect();
    Ok(placed(circuit, pois))
}

/// How close to its start a loop's end comes back for it to close.
const LOOP_CLOSE_M: f64 = 300.0;
/// How close to a loop's start a POI is met as the walk starts.
const AT_START_M: f64 = 150.0;

/// `pois` with a position, placed on the circuit's trace, in walking order. A loop
/// passes its start twice: a POI at the start is met first, at 0 m, even when the
/// returning leg runs a few metres closer to it.
pub fn placed(circuit: &Circuit, pois: Vec<Poi>) -> Vec<AlongPoi> {
    let locator = TraceLocator::new(&circuit.trace);
    let (start, end) = (circuit.trace.start(), circuit.trace.end());
    let closing = match (start, end) {
        (Some(s), Some(e)) if distance_m(s, e) <= LOOP_CLOSE_M => Some(s),
        _ => None,
    };
    let length_m = circuit.stats.length_m;
    let mut out: Vec<AlongPoi> = pois
        .into_iter()
        .filter_map(|poi| {
            let pos = poi.pos?;
            let mut loc = locator.locate(pos);
            if let (Some(start), Some(l)) = (closing, loc.as_mut()) {
                let from_start = distance_m(start, pos);
                if l.along_m > length_m - LOOP_CLOSE_M
                    && from_start <= AT_START_M
                    && from_start <= l.offset_m + AT_START_M / 2.0
                {
                    l.along_m = 0.0;
                    l.offset_m = from_start;
                }
            }
            Some(AlongPoi {
                along_m: loc.map_or(0.0, |l| l.along_m),
                offset_m: loc.map_or(0.0, |l| l.offset_m),
                poi,
                pos,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.along_m
            .total_cmp(&b.along_m)
            .then_with(|| a.poi.id.cmp(&b.poi.id))
    });
    out
}
