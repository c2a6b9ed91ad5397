//! Moving a whole installation between stores, and the fingerprint that proves nothing
//! was lost on the way.

use super::{Store, StoreResult, encode_trace};
use crate::domain::{Circuit, Poi};

/// Record counts and a checksum over every field of every record, in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub circuits: u64,
    pub pois: u64,
    pub checksum: u64,
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} circuits, {} POIs, checksum {:016x}",
            self.circuits, self.pois, self.checksum
        )
    }
}

/// FNV-1a, 64 bits: stable across versions and platforms, enough to detect a change.
#[derive(Debug)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
    /// Hashes a field and a separator, so that ("ab", "c") and ("a", "bc") differ.
    fn field(&mut self, text: &str) {
        for b in text.bytes().chain([0x1f]) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn hash_circuit(h: &mut Fnv, c: &Circuit) {
    let s = &c.stats;
    for field in [
        c.id.to_string(),
        c.source.clone(),
        c.name.clone(),
        c.summary.clone(),
        c.description.clone(),
        c.practice.to_string(),
        c.themes.join("\u{1e}"),
        c.communes.join("\u{1e}"),
        encode_trace(&c.trace),
        format!(
            "{:?}",
            (
                s.length_m,
                s.ascent_m,
                s.descent_m,
                s.min_elevation_m,
                s.max_elevation_m
            )
        ),
        c.duration_min.to_string(),
        c.difficulty.to_string(),
        c.circuit_type.to_string(),
        c.published.to_string(),
    ] {
        h.field(&field);
    }
}

fn hash_poi(h: &mut Fnv, p: &Poi) {
    for field in [
        p.id.to_string(),
        p.source.clone(),
        p.kind.to_string(),
        p.name.clone(),
        p.description.clone(),
        format!("{:?}", (p.pos.lon(), p.pos.lat(), p.ele)),
        format!("{:?}", p.circuit.as_ref().map(|c| c.as_str())),
        format!("{:?}", p.commune),
        format!("{:?}", p.insee.as_ref().map(|i| i.as_str())),
    ] {
        h.field(&field);
    }
}

pub async fn fingerprint(store: &dyn Store) -> StoreResult<Fingerprint> {
    let circuits = store.all_circuits().await?;
    let pois = store.all_pois().await?;
    let mut h = Fnv::new();
    circuits.iter().for_each(|c| hash_circuit(&mut h, c));
    pois.iter().for_each(|p| hash_poi(&mut h, p));
    Ok(Fingerprint {
        circuits: circuits.len() as u64,
        pois: pois.len() as u64,
        checksum: h.0,
    })
}

/// Copies every circuit and POI of `from` into `to`, in one transaction: the target
/// holds all of it or none of it. Records already in `to` with the same sources are
/// replaced; others are kept.
pub async fn copy(from: &dyn Store, to: &dyn Store) -> StoreResult<Fingerprint> {
    let circuits = from.all_circuits().await?;
    let pois = from.all_pois().await?;
    let mut tx = to.begin_import().await?;
    for c in &circuits {
        tx.upsert_circuit(c).await?;
    }
    for p in &pois {
        tx.upsert_poi(p).await?;
    }
    tx.commit().await?;
    fingerprint(from).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_separates_fields() {
        let (mut a, mut b) = (Fnv::new(), Fnv::new());
        a.field("ab");
        a.field("c");
        b.field("a");
        b.field("bc");
        assert_ne!(a.0, b.0);
    }
}
