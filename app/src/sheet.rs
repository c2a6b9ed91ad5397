//! A circuit's sheet: texts, figures, practical information, media, the POIs along it,
//! the species seen near it and the landscape units it crosses; and its elevation
//! profile. Sheets are kept rendered as JSON while the store's and the catalogue's
//! revisions stand.

use crate::along::{AlongPoi, along};
use crate::cache::RevisionCache;
use crate::catalog::Catalog;
use crate::formats;
use crate::lang;
use crate::search::CircuitProperties;
use crate::views::media::{MediaItem, item as media_item};
use crate::views::round1;
use crate::views::species::Species;
use crate::{App, AppError, AppResult, to_json};
use balade_core::contributions::Rating;
use balade_core::geometry::profile;
use balade_core::species::SpeciesSeen;
use balade_core::species::cells_along;
use balade_core::{Circuit, CircuitSummary, Landscape, Media, MediaOwner, Practical, Trace};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// Bytes of sheets kept rendered: the most viewed circuits of a territory (up to 550 KB
/// each for a long circuit rich in species, a few KB for most).
pub const CACHED_SHEETS: usize = 64 << 20;

/// Sheets already rendered, by (circuit id, language).
pub type SheetCache = RevisionCache<(String, &'static str), SheetBody>;

/// A rendered sheet: its JSON, and the same compressed with brotli once, when it is
/// rendered. Browsers all accept brotli: a sheet viewed again is sent as it is kept,
/// not compressed again for each request.
#[derive(Debug, Clone)]
pub struct SheetBody {
    pub json: Arc<[u8]>,
    pub brotli: Arc<[u8]>,
}

/// Brotli's quality for sheets: 4, the usual choice for answers made on the fly (its
/// default, 11, is for files compressed once and served for years).
const SHEET_BROTLI_QUALITY: u32 = 4;

impl SheetBody {
    fn of(json: Vec<u8>) -> AppResult<Self> {
        use std::io::Write;
        let mut compressed = Vec::with_capacity(json.len() / 4);
        {
            let mut writer =
                brotli::CompressorWriter::new(&mut compressed, 4096, SHEET_BROTLI_QUALITY, 22);
            writer
                .write_all(&json)
                .and_then(|()| writer.flush())
                .map_err(|e| AppError::Encode(format!("compressing a sheet: {e}")))?;
        }
        Ok(Self {
            json: json.into(),
            brotli: compressed.into(),
        })
    }
}

impl crate::cache::Weigh for SheetBody {
    fn bytes(&self) -> usize {
        self.json.len() + self.brotli.len()
    }
}

/// A POI met along a circuit.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoiAlong {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    /// Distance walked from the start to the point of the trace closest to the POI.
    pub distance_m: f64,
    /// Distance from the trace to the POI.
    pub offset_m: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetProperties {
    #[serde(flatten)]
    pub card: CircuitProperties,
    /// The language of the texts (a text missing in it is given in French).
    pub lang: String,
    /// The language the description is really in: `lang` when the circuit has it
    /// translated, else `fr` (what a "content in French only" notice needs).
    pub content_lang: String,
    pub description: String,
    /// Access, parking, public transport, best season, recommendations,
    /// accessibility and step-by-step directions; absent fields are left out.
    #[schema(value_type = Object)]
    pub practical: Practical,
    #[schema(required = true)]
    pub min_elevation_m: Option<f64>,
    #[schema(required = true)]
    pub max_elevation_m: Option<f64>,
    /// Photos, video and audio, with credits and alternative texts.
    pub media: Vec<MediaItem>,
    /// Ids of the POIs along the way, in walking order.
    pub pois: Vec<String>,
    /// The circuit's own POIs and every POI within its kind's corridor of the trace
    /// (150 m unless the server sets `--corridor KIND=METRES`), in walking order.
    pub pois_along: Vec<PoiAlong>,
    /// Species observed within 500 m of the trace, most observed first (public grid
    /// cells only: never an observation's position).
    pub species_along: Vec<Species>,
    /// Landscape units the trace passes through, in walking order.
    pub landscapes: Vec<LandscapeRef>,
}

/// A landscape unit named on a sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct LandscapeRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitSheet {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    /// `LineString` or `MultiLineString` of `[lon, lat, elevation?]`.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
    pub properties: SheetProperties,
}

impl App {
    /// The sheet of circuit `id` in `lang`, as JSON and compressed.
    pub async fn sheet(&self, id: &str, lang: &'static str) -> AppResult<SheetBody> {
        let (catalog, revisions) = self.fresh_for(id).await?;
        let key = (id.to_owned(), lang);
        if let Some(body) = self.sheets.get(&key, revisions) {
            return Ok(body);
        }
        let circuit = self.circuit(id).await?;
        let pois = along(
            self.store.as_ref(),
            &catalog,
            &circuit,
            &self.settings.corridors,
        )
        .await?;
        let media = self
            .store
            .media_of(&MediaOwner::Circuit(circuit.id.clone()))
            .await?;
        let species =
            crate::lookup::species_seen(self.store.as_ref(), &cells_along(&circuit.trace)).await?;
        let sheet = sheet_with(&catalog, circuit, &pois, &species, &media, lang)?;
        let body = SheetBody::of(to_json(&sheet)?)?;
        self.sheets.put(key, revisions, body.clone());
        Ok(body)
    }

    /// The elevation profile of circuit `id`.
    pub async fn profile(&self, id: &str) -> AppResult<Vec<[f64; 2]>> {
        Ok(profile_of(&self.circuit(id).await?.trace))
    }
}

/// The sheet of `circuit` with `pois` along it, the `species` seen along it and its
/// `media`, the rest from the catalogue.
pub fn sheet_with(
    catalog: &Catalog,
    circuit: Circuit,
    pois: &[AlongPoi],
    species: &[SpeciesSeen],
    media: &[Media],
    lang: &str,
) -> AppResult<CircuitSheet> {
    let crossed = catalog.landscapes_crossed(&circuit.trace);
    let rating = catalog.rating(&circuit.id);
    sheet_of(circuit, pois, &crossed, species, media, rating, lang)
}

/// The sheet of a circuit: what `GET /api/v1/circuits/{id}` answers.
pub fn sheet_of(
    circuit: Circuit,
    pois: &[AlongPoi],
    landscapes: &[&Landscape],
    species: &[SpeciesSeen],
    media: &[Media],
    rating: Rating,
    lang: &str,
) -> AppResult<CircuitSheet> {
    let id = circuit.id.to_string();
    let along: Vec<PoiAlong> = pois
        .iter()
        .map(|a| {
            let p = a.poi.clone().in_language(lang);
            PoiAlong {
                id: p.id.to_string(),
                name: p.name,
                kind: p.kind.to_string(),
                description: p.description,
                lon: a.pos.lon(),
                lat: a.pos.lat(),
                distance_m: a.along_m.round(),
                offset_m: round1(a.offset_m),
            }
        })
        .collect();
    let summary = CircuitSummary {
        id: circuit.id.clone(),
        name: circuit.name.clone(),
        summary: circuit.summary.clone(),
        description: String::new(),
        practice: circuit.practice,
        themes: circuit.themes.clone(),
        communes: circuit.communes.clone(),
        intercommunalities: circuit.intercommunalities.clone(),
        start: circuit
            .trace
            .start()
            .ok_or_else(|| AppError::NotFound(format!("circuit `{id}` has no trace")))?,
        stats: circuit.stats,
        duration_min: circuit.duration_min,
        difficulty: circuit.difficulty,
        circuit_type: circuit.circuit_type,
        translations: circuit.translations.clone(),
    };
    let (_, _, description) =
        lang::texts(&circuit.translations, lang, "", "", &circuit.description);
    Ok(CircuitSheet {
        kind: "Feature",
        id: circuit.id.to_string(),
        geometry: formats::trace_geometry(&circuit.trace),
        properties: SheetProperties {
            card: CircuitProperties::of(&summary, None, rating, lang),
            lang: lang.to_owned(),
            content_lang: content_lang(&circuit.translations, lang).to_owned(),
            description: description.to_owned(),
            practical: lang::practical(&circuit.practical, &circuit.translations, lang),
            min_elevation_m: circuit.stats.min_elevation_m.map(round1),
            max_elevation_m: circuit.stats.max_elevation_m.map(round1),
            media: media.iter().map(media_item).collect(),
            pois: along.iter().map(|p| p.id.clone()).collect(),
            pois_along: along,
            species_along: species.iter().map(Species::of).collect(),
            landscapes: landscapes
                .iter()
                .map(|l| LandscapeRef {
                    id: l.id.to_string(),
                    name: l.name.clone(),
                })
                .collect(),
        },
    })
}

/// `lang` when the circuit's description is translated in it, else French.
fn content_lang<'a>(translations: &balade_core::Translations, lang: &'a str) -> &'a str {
    match translations.get(lang) {
        Some(t) if t.description.is_some() => lang,
        _ => "fr",
    }
}

/// At most this many profile points: more than a screen can draw.
const MAX_PROFILE_POINTS: usize = 2_000;

/// The profile answer for a trace, thinned to `MAX_PROFILE_POINTS` (2,000):
/// `[[distance_m, elevation_m], …]`, empty when the trace has no elevation.
pub fn profile_of(trace: &Trace) -> Vec<[f64; 2]> {
    let points = profile(trace);
    let step = points.len().div_ceil(MAX_PROFILE_POINTS).max(1);
    let last = points.len().saturating_sub(1);
    points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i == last)
        .map(|(_, (d, e))| [d.round(), round1(*e)])
        .collect()
}
