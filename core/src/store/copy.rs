//! Moving a whole installation between stores, and the fingerprint that proves nothing
//! was lost on the way.

use super::codec::encode_polygons;
use super::{Store, StoreResult, encode_trace};
use crate::domain::{Circuit, Commune, Landscape, Media, Observation, Poi};
use crate::hash::Fnv;
use std::collections::BTreeSet;

/// Record counts and a checksum over every field of every record (media files' bytes
/// included), in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub circuits: u64,
    pub pois: u64,
    pub landscapes: u64,
    pub communes: u64,
    pub observations: u64,
    pub media: u64,
    /// Photo derivatives: one per media id and width.
    pub media_files: u64,
    pub checksum: u64,
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} circuits, {} POIs, {} landscape units, {} communes, {} observations, \
             {} media ({} files), checksum {:016x}",
            self.circuits,
            self.pois,
            self.landscapes,
            self.communes,
            self.observations,
            self.media,
            self.media_files,
            self.checksum
        )
    }
}

fn hash_media(h: &mut Fnv, m: &Media) {
    for field in [
        m.id.clone(),
        m.owner.kind().to_owned(),
        m.owner.id().to_owned(),
        m.kind.to_string(),
        format!("{:?}", (&m.url, &m.title, &m.author, &m.license, &m.alt)),
        format!("{:?}", (m.width, m.height, m.position, &m.files)),
    ] {
        h.field(&field);
    }
}

/// The derivatives of `media`, each once: (media id, width).
fn media_files(media: &[Media]) -> BTreeSet<(String, u32)> {
    media
        .iter()
        .flat_map(|m| m.files.iter().map(|(w, _)| (m.id.clone(), *w)))
        .collect()
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
        c.intercommunalities.join("\u{1e}"),
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
        super::codec::encode_json(&c.practical),
        super::codec::encode_json(&c.translations),
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

fn hash_commune(h: &mut Fnv, c: &Commune) {
    for field in [
        c.code.as_str().to_owned(),
        c.name.clone(),
        c.intercommunality.clone().unwrap_or_default(),
        encode_polygons(&c.polygons),
    ] {
        h.field(&field);
    }
}

fn hash_observation(o: &Observation) -> u64 {
    let mut h = Fnv::new();
    let t = &o.taxon;
    for field in [
        o.source.clone(),
        format!(
            "{:?}",
            (
                &t.key,
                &t.scientific_name,
                &t.vernacular_name,
                &t.rank,
                &t.kingdom,
                &t.phylum,
                &t.class,
                &t.order,
                &t.family,
                &t.genus
            )
        ),
        format!("{:?}", (&o.event_start, &o.event_end, o.months)),
        format!("{:?}", (o.pos.lon(), o.pos.lat(), o.uncertainty_m, o.count)),
        format!("{:?}", (&o.basis_of_record, &o.license)),
    ] {
        h.field(&field);
    }
    h.finish()
}

/// Observations page by page (millions do not fit a copy's memory whole).
const OBSERVATION_PAGE: usize = 10_000;

/// Observations page by page (millions do not fit a copy's memory whole): the page
/// after `after`, in the store's own order of sources.
async fn next_page(store: &dyn Store, after: &mut Option<String>) -> StoreResult<Vec<Observation>> {
    let page = store
        .observations_page(after.as_deref(), OBSERVATION_PAGE)
        .await?;
    *after = page.last().map(|o| o.source.clone());
    Ok(page)
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
    let mut communes = store.communes().await?;
    communes.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    communes.iter().for_each(|c| hash_commune(&mut h, c));
    let mut media = store.all_media().await?;
    media.sort_by(|a, b| {
        (a.owner.kind(), a.owner.id(), a.position, &a.id).cmp(&(
            b.owner.kind(),
            b.owner.id(),
            b.position,
            &b.id,
        ))
    });
    media.iter().for_each(|m| hash_media(&mut h, m));
    let files = media_files(&media);
    for (id, width) in &files {
        let bytes = store.media_file(id, *width).await?.unwrap_or_default();
        h.field(id);
        h.field(&width.to_string());
        h.field(&crate::hash::hex(&bytes));
    }
    for (key, level) in store.sensitive_taxa().await? {
        h.field(&key);
        h.field(&level.level().to_string());
    }
    // Observations come in each database's own order: their hashes are summed, which
    // does not depend on it.
    let (mut observations, mut sum) = (0u64, 0u64);
    let mut after = None;
    loop {
        let page = next_page(store, &mut after).await?;
        if page.is_empty() {
            break;
        }
        observations += page.len() as u64;
        sum = page
            .iter()
            .fold(sum, |s, o| s.wrapping_add(hash_observation(o)));
    }
    h.field(&format!("{sum:016x}"));
    Ok(Fingerprint {
        circuits: circuits.len() as u64,
        pois: pois.len() as u64,
        landscapes: landscapes.len() as u64,
        communes: communes.len() as u64,
        observations,
        media: media.len() as u64,
        media_files: files.len() as u64,
        checksum: h.finish(),
    })
}

/// Copies every circuit, POI, landscape unit, commune, media item with its files,
/// observation and the sensitivity list of `from` into `to`, in one transaction: the
/// target holds all of it or none of it. Records already in `to` with the same sources
/// are replaced; others are kept.
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
    for c in &from.communes().await? {
        tx.upsert_commune(c).await?;
    }
    for m in &from.all_media().await? {
        let mut files = Vec::with_capacity(m.files.len());
        for (width, _) in &m.files {
            if let Some(bytes) = from.media_file(&m.id, *width).await? {
                files.push((*width, bytes));
            }
        }
        tx.upsert_media(m, &files).await?;
    }
    tx.replace_sensitive_taxa(&from.sensitive_taxa().await?)
        .await?;
    let mut after = None;
    loop {
        let page = next_page(from, &mut after).await?;
        if page.is_empty() {
            break;
        }
        tx.upsert_observations(&page).await?;
    }
    tx.refresh_species().await?;
    tx.commit().await?;
    fingerprint(from).await
}
