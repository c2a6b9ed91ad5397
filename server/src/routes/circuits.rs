//! Circuits: the filtered catalogue, the sheet, the elevation profile and downloads.

use crate::cache::RevisionCache;
use crate::catalog::{Catalog, Indexed, SharedCatalog};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::formats;
use crate::lang;
use crate::query::Params;
use crate::routes::media::{MediaItem, item as media_item};
use crate::routes::species::Species;
use crate::routes::{PointGeometry, parse_id, round1};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use balade_core::geometry::{TraceLocator, profile};
use balade_core::species::SpeciesSeen;
use balade_core::store::Store;
use balade_core::text::fold;
use balade_core::{
    Circuit, CircuitId, CircuitSummary, CircuitType, Difficulty, Landscape, LonLat, Media,
    MediaOwner, Poi, PoiId, Practical, Practice, Trace,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;
pub const MAX_RADIUS_M: f64 = 1_000_000.0;

/// Filters of the circuit list. Repeatable parameters also take comma-separated values.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CircuitFilter {
    /// Words to find in names, descriptions, communes and themes (case and accents ignored).
    pub q: Option<String>,
    /// Shortest duration, in minutes.
    pub duration_min: Option<u32>,
    /// Longest duration, in minutes.
    pub duration_max: Option<u32>,
    /// `easy`, `medium`, `hard`, `very_hard`; repeatable.
    #[param(value_type = Option<Vec<String>>)]
    pub difficulty: Vec<Difficulty>,
    /// `loop`, `return`, `one_way`; repeatable.
    #[param(rename = "type", value_type = Option<Vec<String>>)]
    pub circuit_type: Vec<CircuitType>,
    /// `walk`, `mtb`, `bike`, `horse`; repeatable.
    #[param(value_type = Option<Vec<String>>)]
    pub practice: Vec<Practice>,
    /// Themes, any of which must match; repeatable.
    #[param(value_type = Option<Vec<String>>)]
    pub theme: Vec<String>,
    /// A commune (INSEE code or name) the circuit crosses.
    pub commune: Option<String>,
    /// An intercommunality (by name) one of whose communes the circuit crosses.
    pub intercommunality: Option<String>,
    /// `lon,lat`: sort by distance of the start from this place, and give `distance_m`.
    #[param(value_type = Option<String>, example = "3.29,48.56")]
    pub near: Option<LonLat>,
    /// With `near`: only circuits starting within this many metres.
    pub radius: Option<f64>,
    /// `west,south,east,north`: only circuits starting in this box (what a map shows).
    #[param(value_type = Option<String>, example = "2.5,48.3,3.0,48.6")]
    pub bbox: Option<[f64; 4]>,
    /// At most this many circuits (default 50, at most 500).
    pub limit: Option<usize>,
    /// Skip this many circuits first.
    pub offset: Option<usize>,
    /// Language of the texts, `fr` or `en` (default: from `Accept-Language`, else
    /// French); a text missing in that language is given in French.
    pub lang: Option<String>,
}

const FILTER_PARAMS: &[&str] = &[
    "q",
    "duration_min",
    "duration_max",
    "difficulty",
    "type",
    "practice",
    "theme",
    "commune",
    "intercommunality",
    "near",
    "radius",
    "bbox",
    "limit",
    "offset",
    "lang",
];

impl CircuitFilter {
    pub fn from_query(raw: Option<&str>) -> ApiResult<Self> {
        let p = Params::parse(raw)?;
        p.only(FILTER_PARAMS)?;
        let near = p.text("near").map(parse_lonlat).transpose()?;
        let radius = match p.text("radius") {
            Some(_) if near.is_none() => {
                return Err(ApiError::BadRequest("`radius` needs `near=lon,lat`".into()));
            }
            Some(_) => Some(p.number("radius", 0.0..=MAX_RADIUS_M, 0.0)?),
            None => None,
        };
        let limit = p.get::<usize>("limit")?;
        if limit.is_some_and(|l| l == 0 || l > MAX_LIMIT) {
            return Err(ApiError::BadRequest(format!(
                "`limit` must be between 1 and {MAX_LIMIT}"
            )));
        }
        Ok(Self {
            q: p.text("q").map(str::to_owned),
            duration_min: p.get("duration_min")?,
            duration_max: p.get("duration_max")?,
            difficulty: p.all("difficulty")?,
            circuit_type: p.all("type")?,
            practice: p.all("practice")?,
            theme: p.all::<String>("theme")?.iter().map(|t| fold(t)).collect(),
            commune: p.text("commune").map(fold),
            intercommunality: p.text("intercommunality").map(fold),
            near,
            radius,
            bbox: p.text("bbox").map(parse_bbox).transpose()?,
            limit,
            offset: p.get("offset")?,
            lang: p.text("lang").map(str::to_owned),
        })
    }
}

/// `west,south,east,north` in degrees, each a valid coordinate, west ≤ east, south ≤ north.
pub fn parse_bbox(text: &str) -> ApiResult<[f64; 4]> {
    let bad = |why: &str| ApiError::BadRequest(format!("`bbox`: `{text}`: {why}"));
    let v: Vec<f64> = text
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("not numbers"))?;
    let [w, s, e, n] =
        <[f64; 4]>::try_from(v).map_err(|_| bad("expected west,south,east,north"))?;
    LonLat::new(w, s)
        .and(LonLat::new(e, n))
        .map_err(|err| bad(&err.to_string()))?;
    if w > e || s > n {
        return Err(bad("west must not exceed east, nor south north"));
    }
    Ok([w, s, e, n])
}

/// `lon,lat` as a checked position.
pub fn parse_lonlat(text: &str) -> ApiResult<LonLat> {
    let bad = || ApiError::BadRequest(format!("`near`: `{text}` is not `lon,lat`"));
    let (lon, lat) = text.split_once(',').ok_or_else(bad)?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    LonLat::new(lon, lat).map_err(|e| ApiError::BadRequest(format!("`near`: {e}")))
}

/// The list card of a circuit: what the catalogue shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitProperties {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub length_m: f64,
    pub ascent_m: f64,
    pub descent_m: f64,
    pub duration_min: u32,
    /// `easy`, `medium`, `hard` or `very_hard`.
    pub difficulty: String,
    /// `loop`, `return` or `one_way`.
    #[serde(rename = "type")]
    pub circuit_type: String,
    /// `walk`, `mtb`, `bike` or `horse`.
    pub practice: String,
    pub themes: Vec<String>,
    /// Communes crossed, in walking order.
    pub communes: Vec<String>,
    /// Intercommunalities of the communes crossed.
    pub intercommunalities: Vec<String>,
    /// Distance from `near` to the start, when `near` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

impl CircuitProperties {
    fn of(s: &CircuitSummary, distance_m: Option<f64>, lang: &str) -> Self {
        let (name, summary, _) = lang::texts(&s.translations, lang, &s.name, &s.summary, "");
        Self {
            id: s.id.to_string(),
            name: name.to_owned(),
            summary: summary.to_owned(),
            length_m: s.stats.length_m.round(),
            ascent_m: s.stats.ascent_m.round(),
            descent_m: s.stats.descent_m.round(),
            duration_min: s.duration_min,
            difficulty: s.difficulty.to_string(),
            circuit_type: s.circuit_type.to_string(),
            practice: s.practice.to_string(),
            themes: s.themes.clone(),
            communes: s.communes.clone(),
            intercommunalities: s.intercommunalities.clone(),
            distance_m: distance_m.map(round1),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    /// The start of the circuit.
    pub geometry: PointGeometry,
    pub properties: CircuitProperties,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// How many circuits match, before `limit` and `offset`.
    pub total: usize,
    /// For each filter, how many circuits each of its values would give, all the other
    /// filters applied: what a filter panel shows beside its choices.
    pub facets: Facets,
    pub features: Vec<CircuitFeature>,
}

/// Counts per value of each filter.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Facets {
    pub difficulty: BTreeMap<String, usize>,
    #[serde(rename = "type")]
    pub circuit_type: BTreeMap<String, usize>,
    pub practice: BTreeMap<String, usize>,
    pub theme: BTreeMap<String, usize>,
    pub commune: BTreeMap<String, usize>,
    pub intercommunality: BTreeMap<String, usize>,
}

/// What one pass over the catalogue gives: the matching circuits, best first, with the
/// distance from `near` when given, and the facet counts. Each facet dimension is counted
/// under every filter but its own, so choosing "easy" still shows how many "medium"
/// circuits there are.
pub fn select<'a>(
    catalog: &'a Catalog,
    filter: &CircuitFilter,
) -> (Vec<(&'a Indexed, Option<f64>)>, Facets) {
    let words: Vec<String> = filter
        .q
        .as_deref()
        .map(|q| fold(q).split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    // A commune asked by its INSEE code is looked for by its name.
    let commune = filter.commune.as_deref().map(|c| catalog.commune_name(c));
    let intercommunality = filter.intercommunality.as_deref();
    let themes = &filter.theme;
    let mut facets = Facets::default();
    let mut hits: Vec<(&Indexed, Option<f64>, usize)> = Vec::new();
    for c in &catalog.circuits {
        let s = &c.summary;
        let base = filter.duration_min.is_none_or(|m| s.duration_min >= m)
            && filter.duration_max.is_none_or(|m| s.duration_min <= m)
            && filter.bbox.is_none_or(|[w, so, e, n]| {
                (w..=e).contains(&s.start.lon()) && (so..=n).contains(&s.start.lat())
            })
            && words.iter().all(|w| c.folded_text.contains(w.as_str()));
        if !base {
            continue;
        }
        // The faceted dimensions: difficulty, type, practice, theme, commune,
        // intercommunality.
        let dims = [
            filter.difficulty.is_empty() || filter.difficulty.contains(&s.difficulty),
            filter.circuit_type.is_empty() || filter.circuit_type.contains(&s.circuit_type),
            filter.practice.is_empty() || filter.practice.contains(&s.practice),
            themes.is_empty() || c.folded_themes.iter().any(|t| themes.contains(t)),
            commune.is_none_or(|x| c.folded_communes.iter().any(|k| k == x)),
            intercommunality.is_none_or(|x| c.folded_intercommunalities.iter().any(|k| k == x)),
        ];
        // A circuit missing two dimensions counts in no facet and is no hit.
        if dims.iter().filter(|ok| !**ok).count() > 1 {
            continue;
        }
        // The distance only for circuits that passed the cheap tests.
        let distance = filter
            .near
            .map(|n| balade_core::geometry::distance_m(n, s.start));
        if let (Some(d), Some(r)) = (distance, filter.radius)
            && d > r
        {
            continue;
        }
        let others = |skip: usize| dims.iter().enumerate().all(|(i, ok)| i == skip || *ok);
        let add = |map: &mut BTreeMap<String, usize>, key: &str| match map.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                map.insert(key.to_owned(), 1);
            }
        };
        if others(0) {
            add(&mut facets.difficulty, s.difficulty.as_str());
        }
        if others(1) {
            add(&mut facets.circuit_type, s.circuit_type.as_str());
        }
        if others(2) {
            add(&mut facets.practice, s.practice.as_str());
        }
        if others(3) {
            for t in &s.themes {
                add(&mut facets.theme, t);
            }
        }
        if others(4) {
            for x in &s.communes {
                add(&mut facets.commune, x);
            }
        }
        if others(5) {
            for x in &s.intercommunalities {
                add(&mut facets.intercommunality, x);
            }
        }
        if dims.iter().all(|ok| *ok) {
            // Rank: words found in the name first.
            let in_name = words
                .iter()
                .filter(|w| c.folded_name.contains(w.as_str()))
                .count();
            hits.push((c, distance, in_name));
        }
    }
    hits.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => b.2.cmp(&a.2),
    });
    (hits.into_iter().map(|(c, d, _)| (c, d)).collect(), facets)
}

/// Published circuits, filtered; geometry is each circuit's start.
#[utoipa::path(get, path = "/api/v1/circuits", tag = "circuits", params(CircuitFilter),
    responses((status = 200, body = CircuitCollection), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(catalog): State<SharedCatalog>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Json<CircuitCollection>> {
    let filter = CircuitFilter::from_query(raw.as_deref())?;
    let lang = lang::pick(filter.lang.as_deref(), &headers)?;
    let catalog = catalog.current();
    let (hits, facets) = select(&catalog, &filter);
    let total = hits.len();
    let features = hits
        .into_iter()
        .skip(filter.offset.unwrap_or(0))
        .take(filter.limit.unwrap_or(DEFAULT_LIMIT))
        .map(|(c, d)| CircuitFeature {
            kind: "Feature",
            id: c.summary.id.to_string(),
            geometry: PointGeometry::of(c.summary.start),
            properties: CircuitProperties::of(&c.summary, d, lang),
        })
        .collect();
    Ok(Json(CircuitCollection {
        kind: "FeatureCollection",
        total,
        facets,
        features,
    }))
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
    pub description: String,
    /// Access, parking, public transport, best season, recommendations,
    /// accessibility and step-by-step directions; absent fields are left out.
    #[schema(value_type = Object)]
    pub practical: Practical,
    pub min_elevation_m: Option<f64>,
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

pub(crate) async fn load(store: &dyn Store, id: &str) -> ApiResult<Circuit> {
    let id: CircuitId = parse_id(id)?;
    match store.circuit(&id).await? {
        Some(c) if c.published => Ok(c),
        _ => Err(ApiError::NotFound(format!("no circuit `{id}`"))),
    }
}

/// The full sheet of a circuit; geometry is its trace.
#[utoipa::path(get, path = "/api/v1/circuits/{id}", tag = "circuits",
    params(("id" = String, Path, description = "Circuit id")),
    responses((status = 200, body = CircuitSheet), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sheet(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    let catalog = state.catalog.current();
    // The store's revision, not the catalogue's: a write is seen at once, not after the
    // catalogue's next refresh.
    let revision = state.store.revision().await?;
    let key = (id, lang);
    let body = match state.sheets.get(&key, revision) {
        Some(body) => body,
        None => {
            let sheet = sheet_with_content(&state, &catalog, &key.0, lang).await?;
            let body: Arc<[u8]> = serde_json::to_vec(&sheet)
                .map_err(|e| ApiError::Encode(e.to_string()))?
                .into();
            state.sheets.put(key, revision, body.clone());
            body
        }
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Bytes::from_owner(body),
    )
        .into_response())
}

/// Sheets already rendered as JSON, by (circuit id, language), while the store's
/// revision stands.
pub type SheetCache = RevisionCache<(String, &'static str), Arc<[u8]>>;

/// The sheet of circuit `id` with its POIs, landscapes, species and media.
async fn sheet_with_content(
    state: &AppState,
    catalog: &Catalog,
    id: &str,
    lang: &str,
) -> ApiResult<CircuitSheet> {
    let circuit = load(state.store.as_ref(), id).await?;
    let pois = pois_of_sheet(state, catalog, &circuit).await?;
    let crossed = catalog.landscapes_crossed(&circuit.trace);
    let species = catalog.species.along(&circuit.trace);
    let media = state
        .store
        .media_of(&MediaOwner::Circuit(circuit.id.clone()))
        .await?;
    sheet_of(circuit, pois, &crossed, &species, &media, lang)
}

/// The POIs a sheet lists: the circuit's own, and every POI within its kind's corridor
/// of the trace (one query for all of them).
pub async fn pois_of_sheet(
    state: &AppState,
    catalog: &Catalog,
    circuit: &Circuit,
) -> ApiResult<Vec<Poi>> {
    let mut pois = state.store.circuit_pois(&circuit.id).await?;
    let own: std::collections::HashSet<PoiId> = pois.iter().map(|p| p.id.clone()).collect();
    let corridors = &state.corridors;
    let near: Vec<PoiId> = catalog
        .index
        .pois_along(&circuit.trace, corridors.widest())
        .into_iter()
        .filter(|h| corridors.holds(h.item.kind, h.distance_m) && !own.contains(&h.item.id))
        .map(|h| h.item.id.clone())
        .collect();
    pois.extend(state.store.pois(&near).await?);
    Ok(pois)
}

/// The sheet of a circuit with its own POIs and the landscape units it crosses: what
/// `GET /api/v1/circuits/{id}` answers.
pub fn sheet_of(
    circuit: Circuit,
    pois: Vec<Poi>,
    landscapes: &[&Landscape],
    species: &[SpeciesSeen],
    media: &[Media],
    lang: &str,
) -> ApiResult<CircuitSheet> {
    let id = circuit.id.to_string();
    let locator = TraceLocator::new(&circuit.trace);
    let mut along: Vec<PoiAlong> = pois
        .into_iter()
        .filter_map(|p| Some((p.pos?, p.in_language(lang))))
        .map(|(pos, p)| {
            let loc = locator.locate(pos);
            PoiAlong {
                id: p.id.to_string(),
                name: p.name,
                kind: p.kind.to_string(),
                description: p.description,
                lon: pos.lon(),
                lat: pos.lat(),
                distance_m: loc.map_or(0.0, |l| l.along_m.round()),
                offset_m: loc.map_or(0.0, |l| round1(l.offset_m)),
            }
        })
        .collect();
    along.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then_with(|| a.id.cmp(&b.id))
    });
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
            .ok_or_else(|| ApiError::NotFound(format!("circuit `{id}` has no trace")))?,
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
            card: CircuitProperties::of(&summary, None, lang),
            lang: lang.to_owned(),
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

/// At most this many profile points: more than a screen can draw.
const MAX_PROFILE_POINTS: usize = 2_000;

/// The elevation profile: `[[distance_m, elevation_m], …]`, empty when the trace has no
/// elevation.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/profile", tag = "circuits",
    params(("id" = String, Path, description = "Circuit id")),
    responses((status = 200, body = Vec<[f64; 2]>), (status = 404, body = ErrorBody)))]
pub async fn elevation_profile(
    State(store): State<Arc<dyn Store>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<[f64; 2]>>> {
    let circuit = load(store.as_ref(), &id).await?;
    Ok(Json(profile_of(&circuit.trace)))
}

/// The profile answer for a trace, thinned to [`MAX_PROFILE_POINTS`].
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

/// The trace as a file to save, with the sheet's POIs as waypoints or placemarks.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/download", tag = "circuits",
    params(("id" = String, Path, description = "Circuit id"),
           ("format" = Option<String>, Query, description = "`gpx` (default), `kml` or `geojson`")),
    responses((status = 200, description = "The file, with a Content-Disposition naming it"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["format"])?;
    let format = p
        .get::<formats::Format>("format")?
        .unwrap_or(formats::Format::Gpx);
    let circuit = load(state.store.as_ref(), &id).await?;
    // The same places as the sheet: the circuit's own and those beside its trace.
    let pois = pois_of_sheet(&state, &state.catalog.current(), &circuit).await?;
    let body = formats::render(format, &circuit, &pois)?;
    let disposition = formats::content_disposition(&circuit.name, format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
