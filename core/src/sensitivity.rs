//! Sensitive taxa: one rule for every public output (API, sheets, packages, downloads,
//! exports, push, the widget).
//!
//! **Matching.** A list entry names a taxon by an identifier (its `taxonID`, a GBIF
//! `taxonKey`/`speciesKey`, a TAXREF `CD_NOM`/`CD_REF`…) or by its scientific name.
//! Names are compared normalised ([`normalise_name`]): authorship dropped
//! ("Bubo bubo (Linnaeus, 1758)" is "bubo bubo"), case and spacing folded, rank markers
//! dropped; an infraspecific name ("Bubo bubo hispanus") matches an entry that names
//! its species. The strongest level among the entries a taxon matches wins.
//!
//! **Precision in public outputs.**
//! - level 0 (none): counted in 1 km cells, cells named;
//! - level 1 (sensitive): counted in 10 km cells and listed, no cell named: a walker
//!   learns the species is about, never where to look;
//! - level 2 (strict): hidden from every public output.
//!
//! **POIs.** A fauna or flora POI whose name or description names a listed taxon (by
//! its scientific name, or by the vernacular name observations give it) follows the
//! same rule: at level 1 it keeps its text but loses its position (never on a map, in
//! an index, along a circuit or in a file); at level 2 it is not published at all.

use crate::domain::{Poi, PoiKind, Sensitivity, Taxon};
use crate::store::{SpeciesStore, StoreResult};
use crate::text::fold;
use std::collections::HashMap;

/// Rank markers between the epithets of a scientific name.
const RANK_MARKERS: &[&str] = &[
    "subsp.", "ssp.", "subsp", "ssp", "var.", "var", "f.", "fo.", "forma", "subvar.", "cv.",
    "aff.", "cf.",
];

/// A scientific name reduced to its genus and lower-case epithets, folded: the
/// authorship (anything from the first capitalised word, parenthesis or digit after the
/// genus) and rank markers are dropped.
pub fn normalise_name(name: &str) -> String {
    let name = name.trim();
    // An all-capitals list ("BUBO BUBO") is written in lower case first.
    let lowered;
    let name = if name.chars().any(char::is_lowercase) {
        name
    } else {
        lowered = name.to_lowercase();
        &lowered
    };
    let mut words = name.split_whitespace();
    let Some(genus) = words.next() else {
        return String::new();
    };
    let mut out = fold(genus);
    for w in words {
        if RANK_MARKERS.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        let first = w.chars().next().unwrap_or(' ');
        // An epithet shouted in capitals ("Lucanus CERVUS") is still an
        // epithet; an author starts with one capital ("Linnaeus", "L.").
        let shouted =
            w.chars().count() > 2 && w.chars().all(|c| c.is_alphabetic() && c.is_uppercase());
        if !(first.is_lowercase() || shouted) || w.contains(',') {
            break;
        }
        out.push(' ');
        out.push_str(&fold(w));
    }
    out
}

/// The folded words of a text: apostrophes and punctuation separate them, hyphens do
/// not ("d'Europe" is "d europe", "grand-duc" one word).
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The species a normalised name belongs to: its first two words.
fn species_of(normalised: &str) -> Option<&str> {
    let mut cut = normalised.match_indices(' ');
    let _ = cut.next()?;
    Some(match cut.next() {
        Some((at, _)) => &normalised[..at],
        None => normalised,
    })
}

/// The sensitivity list, ready to match taxa, names and POIs.
#[derive(Debug, Clone, Default)]
pub struct SensitivityList {
    /// Identifiers as given.
    ids: HashMap<String, Sensitivity>,
    /// Normalised scientific names.
    names: HashMap<String, Sensitivity>,
    /// Folded vernacular names of listed taxa, learnt from the observations.
    vernacular: HashMap<String, Sensitivity>,
}

fn raise(map: &mut HashMap<String, Sensitivity>, key: String, level: Sensitivity) {
    let slot = map.entry(key).or_insert(level);
    *slot = (*slot).max(level);
}

impl SensitivityList {
    /// The list of `entries` (identifier or scientific name, level).
    pub fn new(entries: &[(String, Sensitivity)]) -> Self {
        let mut list = Self::default();
        for (key, level) in entries {
            let key = key.trim();
            if key.is_empty() || *level == Sensitivity::Normal {
                continue;
            }
            raise(&mut list.ids, key.to_owned(), *level);
            let name = normalise_name(key);
            if name.contains(' ') {
                raise(&mut list.names, name, *level);
            }
        }
        list
    }

    /// The stored list, knowing the vernacular names the stored observations give its
    /// taxa.
    pub async fn load(store: &dyn SpeciesStore) -> StoreResult<Self> {
        let mut list = Self::new(&store.sensitive_taxa().await?);
        if !list.is_empty() {
            let taxa = store.taxa().await?;
            list.learn_names(taxa.iter().map(|(t, _)| t));
        }
        Ok(list)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.names.is_empty()
    }

    /// The level of a taxon (see the module's matching rule).
    pub fn level(&self, taxon: &Taxon) -> Sensitivity {
        let mut level = Sensitivity::Normal;
        let mut take = |l: Option<&Sensitivity>| {
            if let Some(l) = l {
                level = level.max(*l);
            }
        };
        take(self.ids.get(taxon.key.trim()));
        for id in &taxon.ids {
            take(self.ids.get(id.trim()));
        }
        for name in [&taxon.scientific_name, &taxon.key] {
            let name = normalise_name(name);
            take(self.names.get(&name));
            if let Some(species) = species_of(&name) {
                take(self.names.get(species));
            }
        }
        level
    }

    /// Learns the names the listed taxa among `taxa` go by (their scientific name when
    /// the list gives only an identifier, their vernacular name), so that POIs naming
    /// them are recognised.
    pub fn learn_names<'a>(&mut self, taxa: impl IntoIterator<Item = &'a Taxon>) {
        for t in taxa {
            let level = self.level(t);
            if level == Sensitivity::Normal {
                continue;
            }
            let name = normalise_name(&t.scientific_name);
            if let Some(species) = species_of(&name) {
                raise(&mut self.names, species.to_owned(), level);
            }
            if let Some(v) = t.vernacular_name.as_deref().map(|v| words(v).join(" "))
                && v.len() >= 4
            {
                raise(&mut self.vernacular, v, level);
            }
        }
    }

    /// The level of a text that may name taxa: the strongest listed scientific name (two
    /// consecutive words) or vernacular name (whole words) it holds.
    pub fn level_of_text(&self, text: &str) -> Sensitivity {
        let words = words(text);
        let mut level = Sensitivity::Normal;
        for pair in words.windows(2) {
            if let Some(l) = self.names.get(&format!("{} {}", pair[0], pair[1])) {
                level = level.max(*l);
            }
        }
        if !self.vernacular.is_empty() {
            let spaced = format!(" {} ", words.join(" "));
            for (name, l) in &self.vernacular {
                if spaced.contains(&format!(" {name} ")) {
                    level = level.max(*l);
                }
            }
        }
        level
    }

    /// The level of a POI: fauna and flora only, by its name, description and the
    /// source fields that name a taxon.
    pub fn level_of_poi(&self, poi: &Poi) -> Sensitivity {
        if !matches!(poi.kind, PoiKind::Fauna | PoiKind::Flora) || self.is_empty() {
            return Sensitivity::Normal;
        }
        let mut level = self
            .level_of_text(&poi.name)
            .max(self.level_of_text(&poi.description));
        for (field, value) in &poi.details.provenance {
            let f = field.to_ascii_lowercase();
            if f.contains("taxon")
                || f.contains("species")
                || f.contains("cd_nom")
                || f.contains("cd_ref")
            {
                level = level.max(
                    self.ids
                        .get(value.trim())
                        .copied()
                        .unwrap_or(Sensitivity::Normal),
                );
                level = level.max(self.level_of_text(value));
            }
        }
        level
    }

    /// A POI as the public may see it: itself, without its position (level 1), or
    /// nothing (level 2).
    pub fn protect(&self, mut poi: Poi) -> Option<Poi> {
        match self.level_of_poi(&poi) {
            Sensitivity::Normal => Some(poi),
            Sensitivity::Sensitive => {
                poi.pos = None;
                poi.ele = None;
                Some(poi)
            }
            Sensitivity::Strict => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_authorship_case_and_rank_markers() {
        assert_eq!(normalise_name("Bubo bubo (Linnaeus, 1758)"), "bubo bubo");
        assert_eq!(normalise_name("  Bubo   bubo  "), "bubo bubo");
        assert_eq!(normalise_name("BUBO BUBO"), "bubo bubo");
        assert_eq!(normalise_name("Orchis purpurea Huds."), "orchis purpurea");
        assert_eq!(
            normalise_name("Pulsatilla vulgaris subsp. grandis (Wender.) Zämelis"),
            "pulsatilla vulgaris grandis"
        );
        assert_eq!(normalise_name("Lucanus cervus L., 1758"), "lucanus cervus");
        assert_eq!(normalise_name("Bubo"), "bubo");
        assert_eq!(
            species_of("pulsatilla vulgaris grandis"),
            Some("pulsatilla vulgaris")
        );
        assert_eq!(species_of("bubo"), None);
    }

    fn taxon(key: &str, name: &str, ids: &[&str]) -> Taxon {
        Taxon {
            key: key.into(),
            scientific_name: name.into(),
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            ..Taxon::default()
        }
    }

    #[test]
    fn taxa_match_by_any_key_or_their_normalised_name() {
        let list = SensitivityList::new(&[
            ("Bubo bubo".into(), Sensitivity::Strict),
            ("2480637".into(), Sensitivity::Sensitive),
            (
                "Lucanus cervus (Linnaeus, 1758)".into(),
                Sensitivity::Sensitive,
            ),
            ("Upupa epops".into(), Sensitivity::Normal),
        ]);
        // The GBIF case: an authored name and a numeric key.
        assert_eq!(
            list.level(&taxon("2497915", "Bubo bubo (Linnaeus, 1758)", &[])),
            Sensitivity::Strict
        );
        assert_eq!(
            list.level(&taxon("Bubo bubo hispanus", "Bubo bubo hispanus", &[])),
            Sensitivity::Strict,
            "a subspecies of a listed species"
        );
        assert_eq!(
            list.level(&taxon("x", "Milvus milvus", &["2480637"])),
            Sensitivity::Sensitive,
            "by another of its keys (speciesKey, CD_NOM…)"
        );
        assert_eq!(
            list.level(&taxon("y", "lucanus CERVUS", &[])),
            Sensitivity::Sensitive
        );
        assert_eq!(
            list.level(&taxon("Upupa epops", "Upupa epops", &[])),
            Sensitivity::Normal
        );
        assert_eq!(
            list.level(&taxon("z", "Bubo scandiacus", &[])),
            Sensitivity::Normal
        );
    }

    #[test]
    fn fauna_and_flora_pois_follow_the_list() {
        let mut list = SensitivityList::new(&[
            ("Bubo bubo".into(), Sensitivity::Strict),
            ("Orchis purpurea".into(), Sensitivity::Sensitive),
            ("87548".into(), Sensitivity::Sensitive),
        ]);
        list.learn_names([
            &Taxon {
                vernacular_name: Some("Grand-duc d'Europe".into()),
                ..taxon("Bubo bubo", "Bubo bubo", &[])
            },
            &taxon("x", "Ophrys apifera Huds.", &["87548"]),
        ]);
        let poi = |kind, name: &str| Poi {
            kind,
            name: name.into(),
            ..crate::store::testing::synthetic_pois(1, 3).remove(0)
        };
        assert!(
            list.protect(poi(PoiKind::Fauna, "Le grand-duc d'Europe niche ici"))
                .is_none()
        );
        assert!(
            list.protect(poi(PoiKind::Fauna, "Aire de Bubo bubo"))
                .is_none()
        );
        let orchid = list
            .protect(poi(PoiKind::Flora, "Orchis pourpre (Orchis purpurea)"))
            .expect("kept");
        assert_eq!(orchid.pos, None, "kept without its position");
        let chapel = poi(PoiKind::Heritage, "Chapelle du Grand-duc d'Europe");
        assert_eq!(
            list.protect(chapel.clone()),
            Some(chapel),
            "only fauna and flora"
        );
        let bee_orchid = poi(PoiKind::Flora, "Station d'Ophrys apifera");
        assert_eq!(
            list.protect(bee_orchid).expect("kept").pos,
            None,
            "named by the scientific name of a taxon the list names by id"
        );
        let fox = poi(PoiKind::Fauna, "Terrier de renard");
        assert_eq!(list.protect(fox.clone()), Some(fox));
    }
}
