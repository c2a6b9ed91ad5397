//! Species as the public sees them: from the grid aggregates only, never an
//! observation's position, only the codes of the cells it was counted in.

use balade_core::Sensitivity;
use balade_core::species::SpeciesSeen;
use serde::Serialize;
use utoipa::ToSchema;

/// Taxa listed at most, around a place or along a circuit.
pub const MAX_LIMIT: usize = 1_000;

/// One taxon as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Species {
    /// The taxon's key: its id in the source, else its scientific name.
    pub taxon: String,
    pub scientific_name: String,
    pub vernacular_name: Option<String>,
    /// birds, mammals, reptiles, amphibians, fish, insects, spiders, molluscs,
    /// other_animals, plants, mosses, fungi, lichens or other.
    pub group: &'static str,
    pub rank: Option<String>,
    pub family: Option<String>,
    /// Months it was seen, 1–12.
    pub months: Vec<u8>,
    pub observations: u64,
    /// Listed as sensitive: shown only through coarse cells.
    pub sensitive: bool,
    /// Codes of the Lambert 93 grid cells it was counted in, e.g. `1kmE652N6855`.
    pub cells: Vec<String>,
}

impl Species {
    pub fn of(s: &SpeciesSeen) -> Self {
        Self {
            taxon: s.taxon.key.clone(),
            scientific_name: s.taxon.scientific_name.clone(),
            vernacular_name: s.taxon.vernacular_name.clone(),
            group: s.taxon.group(),
            rank: s.taxon.rank.clone(),
            family: s.taxon.family.clone(),
            months: s.month_numbers(),
            observations: s.observations,
            sensitive: s.sensitivity != Sensitivity::Normal,
            cells: s.cells.iter().cloned().collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpeciesList {
    /// Taxa found, before `limit`.
    pub total: usize,
    /// Most observed first.
    pub species: Vec<Species>,
}

pub fn list(seen: &[SpeciesSeen], limit: usize) -> SpeciesList {
    SpeciesList {
        total: seen.len(),
        species: seen.iter().take(limit).map(Species::of).collect(),
    }
}
