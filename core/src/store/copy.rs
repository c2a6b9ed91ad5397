//! Moving a whole installation between stores, and the fingerprint that proves nothing
//! was lost on the way.

use super::codec::encode_polygons;
use super::{Store, StoreResult, encode_trace};
use crate::domain::{Circuit, Landscape, Poi};
use crate::hash::Fnv;

/// Record counts and a checksum over every field of every record, in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub circuits: u64,
    pub pois: u64,
    pub landscapes: u64,
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
        format!("{:?}", (p.pos.map(|q| (q.lon(), q.lat())), p.ele)),
        format!("{:?}", p.circuit.as_ref().map(|c| c.as_str())),
        format!("{:?}", p.commune),
        format!("{:?}", p.insee.as_ref().map(|i| i.as_str())),
        super::encode_details(&p.details),
    ] {
        h.field(&field);
    }
}

fn hash_landscape(h: &mut Fnv, l: &Landscape) {
    for field in [
        l.id.to_string(),
        l.source.clone(),
        l.name.clone(),
        l.description.clone(),
        encode_polygons(&l.polygons),
    ] {
        h.field(&field);
    }
}

pub async fn fingerprint(store: &dyn Store) -> StoreResult<Fingerprint> {
    // Sorted here, by bytes: databases order text by their own collation.
    let mut circuits = store.all_circuits().await?;
    let mut pois = store.all_pois().await?;
    let mut landscapes = store.landscapes().await?;
    circuits.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    pois.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    landscapes.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let mut h = Fnv::new();
    circuits.iter().for_each(|c| hash_circuit(&mut h, c));
    pois.iter().for_each(|p| hash_poi(&mut h, p));
    landscapes.iter().for_each(|l| hash_landscape(&mut h, l));
    Ok(Fingerprint {
        circuits: circuits.len() as u64,
        pois: pois.len() as u64,
        landscapes: landscapes.len() as u64,
        checksum: h.finish(),
    })
}

/// Copies every circuit, POI and landscape unit of `from` into `to`, in one transaction: the target
/// holds all of it or none of it. Records already in `to` with the same sources are
/// replaced; others are kept.
pub async fn copy(from: &dyn Store, to: &dyn Store) -> StoreResult<Fingerprint> {
    let circuits = from.all_circuits().await?;
    let pois = from.all_pois().await?;
    let mut tx = to.begin_import().await?;
    for c in &circuits {
        tx.upsert_circuit(c).await?;
    }
    tx.upsert_pois(&pois).await?;
    for l in &from.landscapes().await? {
        tx.upsert_landscape(l).await?;
    }
    tx.commit().await?;
    fingerprint(from).await
}
