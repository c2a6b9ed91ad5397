//! Guidance: a circuit's guidance input ([`GuideData`], the same for the phone and for
//! the server), and push sessions, which apply the rules of `balade_core::guidance` to
//! the fixes a phone sends while it has network.
//!
//! A session that follows a circuit forwards every event of the rules (POIs, off route,
//! back on route, landscapes) plus its progress after each fix. A session that follows
//! nothing tells each POI once when the walker is within its kind's trigger radius, and
//! each landscape unit once when the walker enters it.

use crate::along::{AlongPoi, along};
use crate::catalog::Catalog;
use crate::{App, AppResult};
use balade_core::Circuit;
use balade_core::guidance::{Fix, Guide, GuideConfig, GuideEvent, default_trigger_radius_m};
use balade_core::guide_data::GuideData;
use serde_json::{Value, json};
use std::collections::HashSet;

impl App {
    /// The guidance input of circuit `id`, POI names in `lang`.
    pub async fn guide_data(&self, id: &str, lang: &str) -> AppResult<GuideData> {
        let (catalog, _) = self.fresh_for(id).await?;
        let circuit = self.circuit(id).await?;
        let pois = along(
            self.store.as_ref(),
            &catalog,
            &circuit,
            &self.settings.corridors,
        )
        .await?;
        Ok(guide_of(&catalog, &circuit, &pois, lang))
    }
}

/// The guidance input of `circuit` with `pois` along it.
pub fn guide_of(catalog: &Catalog, circuit: &Circuit, pois: &[AlongPoi], lang: &str) -> GuideData {
    GuideData::new(
        circuit,
        pois.iter().map(|p| p.guide_poi(lang)),
        &catalog.landscapes_crossed(&circuit.trace),
    )
}

/// The largest default trigger radius: how far around a fix to look.
const MAX_TRIGGER_M: f64 = 150.0;

/// One push session's state: what it follows and what it already told.
#[derive(Debug)]
pub struct PushSession {
    lang: &'static str,
    sent: HashSet<String>,
    entered: HashSet<String>,
    guide: Option<Guide>,
}

impl PushSession {
    pub fn new(lang: &'static str) -> Self {
        Self {
            lang,
            sent: HashSet::new(),
            entered: HashSet::new(),
            guide: None,
        }
    }

    /// Follows circuit `id` from now on, with the input the phone would get.
    pub async fn follow(&mut self, app: &App, id: &str) -> AppResult<()> {
        self.guide = Some(app.guide_data(id, self.lang).await?.guide());
        Ok(())
    }

    /// What one fix raises, as the messages sent to the phone.
    pub fn fix(&mut self, catalog: &Catalog, fix: Fix) -> Vec<Value> {
        match self.guide.as_mut() {
            Some(guide) => guided(guide, fix),
            None => self.reached(catalog, fix),
        }
    }

    /// POIs newly within their trigger radius of `fix`, nearest first, then landscape
    /// units entered for the first time.
    fn reached(&mut self, catalog: &Catalog, fix: Fix) -> Vec<Value> {
        // The same accuracy rule as guidance: a vague fix triggers nothing.
        if fix.accuracy_m.is_nan() || fix.accuracy_m > GuideConfig::default().max_accuracy_m {
            return Vec::new();
        }
        let lang = self.lang;
        let sent = &mut self.sent;
        let mut out: Vec<Value> = catalog
            .index()
            .nearby_pois(fix.pos, MAX_TRIGGER_M, 64, &[])
            .into_iter()
            .filter(|h| h.distance_m <= default_trigger_radius_m(h.item.kind))
            .filter(|h| sent.insert(h.item.id.to_string()))
            .map(|h| {
                json!({ "type": "poi", "id": h.item.id.as_str(), "name": h.item.name_in(lang),
                        "kind": h.item.kind.as_str(), "distance_m": (h.distance_m * 10.0).round() / 10.0 })
            })
            .collect();
        let entered = &mut self.entered;
        out.extend(
            catalog
                .landscapes_at(fix.pos)
                .filter(|l| entered.insert(l.id.to_string()))
                .map(|l| json!({ "type": "landscape", "id": l.id.as_str(), "name": l.name })),
        );
        out
    }
}

fn guided(guide: &mut Guide, fix: Fix) -> Vec<Value> {
    let mut out: Vec<Value> = guide
        .update(fix)
        .iter()
        .map(|e: &GuideEvent| serde_json::to_value(e).unwrap_or_default())
        .collect();
    if let Some(p) = guide.progress() {
        out.push(json!({ "type": "progress", "done_m": p.done_m.round(), "remaining_m": p.remaining_m.round(),
                         "offset_m": (p.offset_m * 10.0).round() / 10.0 }));
    }
    out
}
