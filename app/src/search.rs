//! The circuit list: published circuits filtered by what hikers choose (duration,
//! difficulty, type, practice, themes, communes, words, distance), with facet counts
//! that tell what each choice would give. Answered from the catalogue alone.

use crate::catalog::{Catalog, Indexed};
use crate::lang;
use crate::list_index::{FacetValues, Values};
use crate::views::{PointGeometry, json, round1};
use crate::{AppError, AppResult};
use balade_core::contributions::Rating;
use balade_core::index::ecef;
use balade_core::text::fold;
use balade_core::{CircuitSummary, CircuitType, Difficulty, LonLat, Practice};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;
pub const MAX_RADIUS_M: f64 = 1_000_000.0;

/// Filters of the circuit list. Repeatable parameters also take comma-separated values.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CircuitFilter {
    /// Words to find in names, descriptions, communes and themes (case and accents
    /// ignored); at most 12 words.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Shortest duration, in minutes.
    pub duration_min: Option<u32>,
    /// Longest duration, in minutes.
    pub duration_max: Option<u32>,
    /// `easy`, `medium`, `hard`, `very_hard`; repeatable.
    #[param(value_type = Option<Vec<String>>, max_items = 20)]
    pub difficulty: Vec<Difficulty>,
    /// `loop`, `return`, `one_way`; repeatable.
    #[param(rename = "type", value_type = Option<Vec<String>>, max_items = 20)]
    pub circuit_type: Vec<CircuitType>,
    /// `walk`, `mtb`, `bike`, `horse`; repeatable.
    #[param(value_type = Option<Vec<String>>, max_items = 20)]
    pub practice: Vec<Practice>,
    /// Themes, any of which must match; repeatable.
    #[param(value_type = Option<Vec<String>>, max_items = 20)]
    pub theme: Vec<String>,
    /// A commune (INSEE code or name) the circuit crosses.
    pub commune: Option<String>,
    /// An intercommunality (by name) one of whose communes the circuit crosses.
    pub intercommunality: Option<String>,
    /// `lon,lat`: sort by distance of the start from this place, and give `distance_m`.
    #[param(value_type = Option<String>, example = "3.29,48.56")]
    pub near: Option<LonLat>,
    /// With `near`: only circuits starting within this many metres.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub radius: Option<f64>,
    /// `west,south,east,north`: only circuits starting in this box (what a map shows).
    #[param(value_type = Option<String>, example = "2.5,48.3,3.0,48.6")]
    pub bbox: Option<[f64; 4]>,
    /// At most this many circuits (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// Skip this many circuits first.
    pub offset: Option<usize>,
    /// `relevance` (the default), `distance` (needs `near`), `rating`, `duration`,
    /// `length` or `name`.
    #[param(value_type = Option<String>)]
    pub sort: Option<Sort>,
    /// Language of the texts, `fr` or `en` (default: from `Accept-Language`, else
    /// French); a text missing in that language is given in French.
    pub lang: Option<String>,
}

/// `west,south,east,north` in degrees, each a valid coordinate, west ≤ east, south ≤ north.
pub fn parse_bbox(text: &str) -> AppResult<[f64; 4]> {
    let bad = |why: &str| AppError::Invalid(format!("`bbox`: `{text}`: {why}"));
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
pub fn parse_lonlat(text: &str) -> AppResult<LonLat> {
    let bad = || AppError::Invalid(format!("`near`: `{text}` is not `lon,lat`"));
    let (lon, lat) = text.split_once(',').ok_or_else(bad)?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    LonLat::new(lon, lat).map_err(|e| AppError::Invalid(format!("`near`: {e}")))
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
    /// The published reviews' average (1 to 5, one decimal) and count.
    pub rating: RatingView,
    /// Distance from `near` to the start, when `near` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = f64)]
    pub distance_m: Option<f64>,
}

impl CircuitProperties {
    pub fn of(s: &CircuitSummary, distance_m: Option<f64>, rating: Rating, lang: &str) -> Self {
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
            rating: RatingView::of(rating),
            distance_m: distance_m.map(round1),
        }
    }
}

/// A circuit's rating as answers show it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct RatingView {
    /// None until a review is published.
    #[schema(required = true)]
    pub average: Option<f64>,
    pub count: u64,
}

impl RatingView {
    pub fn of(r: Rating) -> Self {
        Self {
            average: r.average(),
            count: r.count,
        }
    }
}

/// The orders of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Words in the name first; nearest first with `near`.
    Relevance,
    Distance,
    /// Best rated first (then most rated); unrated last.
    Rating,
    Duration,
    Length,
    Name,
}

impl std::str::FromStr for Sort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "relevance" => Sort::Relevance,
            "distance" => Sort::Distance,
            "rating" => Sort::Rating,
            "duration" => Sort::Duration,
            "length" => Sort::Length,
            "name" => Sort::Name,
            _ => {
                return Err("one of relevance, distance, rating, duration, length, name".to_owned());
            }
        })
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
pub struct CircuitCollection<'a> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// How many circuits match, before `limit` and `offset`.
    pub total: usize,
    /// For each filter, how many circuits each of its values would give, all the other
    /// filters applied: what a filter panel shows beside its choices.
    pub facets: Facets<'a>,
    pub features: Vec<CircuitFeature>,
}

/// Counts per value of each filter. Communes and intercommunalities: the
/// [`MAX_PLACE_FACETS`] with the most circuits when there are more.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Facets<'a> {
    #[schema(value_type = BTreeMap<String, usize>)]
    pub difficulty: Counted<'a>,
    #[serde(rename = "type")]
    #[schema(value_type = BTreeMap<String, usize>)]
    pub circuit_type: Counted<'a>,
    #[schema(value_type = BTreeMap<String, usize>)]
    pub practice: Counted<'a>,
    #[schema(value_type = BTreeMap<String, usize>)]
    pub theme: Counted<'a>,
    #[schema(value_type = BTreeMap<String, usize>)]
    pub commune: Counted<'a>,
    #[schema(value_type = BTreeMap<String, usize>)]
    pub intercommunality: Counted<'a>,
}

/// Circuits by value, in the values' byte order (as a JSON object); the names are the
/// catalogue's own, not copies.
#[derive(Debug, Default, PartialEq)]
pub struct Counted<'a>(pub Vec<(&'a str, usize)>);

impl Counted<'_> {
    pub fn get(&self, name: &str) -> Option<usize> {
        self.0.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
    }
}

impl Serialize for Counted<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, count)| (name, count)))
    }
}

/// The most communes (and intercommunalities) a list answer counts: a département's
/// communes all fit; a national catalogue's 35,000 would make every answer hundreds of
/// kilobytes for a menu nobody scrolls.
pub const MAX_PLACE_FACETS: usize = 1000;

/// What one pass over the catalogue gives: the matching circuits, best first, with the
/// distance from `near` when given, and the facet counts. Each facet dimension is counted
/// under every filter but its own, so choosing "easy" still shows how many "medium"
/// circuits there are.
pub fn select<'a>(
    catalog: &'a Catalog,
    filter: &CircuitFilter,
) -> (Vec<(&'a Indexed, Option<f64>)>, Facets<'a>) {
    let words: Vec<String> = filter
        .q
        .as_deref()
        .map(|q| fold(q).split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let list = &*catalog.list;
    let values = &list.values;
    let themes = (!filter.theme.is_empty())
        .then(|| picked(&values.themes, filter.theme.iter().map(String::as_str)));
    // A commune asked by its INSEE code is looked for by its name.
    let communes =
        (filter.commune.as_deref()).map(|c| picked(&values.communes, [catalog.commune_name(c)]));
    let intercommunalities =
        (filter.intercommunality.as_deref()).map(|x| picked(&values.intercommunalities, [x]));
    let near_ecef = filter.near.map(ecef);
    let mut counts = Counts {
        difficulty: vec![0; Difficulty::ALL.len()],
        circuit_type: vec![0; CircuitType::ALL.len()],
        practice: vec![0; Practice::ALL.len()],
        theme: vec![0; values.themes.len()],
        commune: vec![0; values.communes.len()],
        intercommunality: vec![0; values.intercommunalities.len()],
    };
    let mut hits: Vec<(&Indexed, Option<f64>, usize)> = Vec::new();
    let with_words = list.words.holding_all(&words);
    // Built together from the same summaries (`catalog::indexed`), row for row.
    debug_assert_eq!(list.rows().len(), catalog.circuits.len());
    // The circuit itself (`c`) is read only for a hit.
    for (i, (row, c)) in list.rows().iter().zip(catalog.circuits.iter()).enumerate() {
        let base = filter.duration_min.is_none_or(|m| row.duration_min >= m)
            && filter.duration_max.is_none_or(|m| row.duration_min <= m)
            && filter.bbox.is_none_or(|[w, so, e, n]| {
                (w..=e).contains(&row.start.lon()) && (so..=n).contains(&row.start.lat())
            })
            && with_words.as_ref().is_none_or(|w| w[i]);
        if !base {
            continue;
        }
        // The faceted dimensions: difficulty, type, practice, theme, commune,
        // intercommunality.
        let dims = [
            filter.difficulty.is_empty() || filter.difficulty.contains(&row.difficulty),
            filter.circuit_type.is_empty() || filter.circuit_type.contains(&row.circuit_type),
            filter.practice.is_empty() || filter.practice.contains(&row.practice),
            names_one(&themes, list.themes(row)),
            names_one(&communes, list.communes(row)),
            names_one(&intercommunalities, list.intercommunalities(row)),
        ];
        // Bit d set: dimension d misses.
        let missed = (dims.iter().enumerate()).fold(0u8, |m, (d, ok)| m | (u8::from(!ok) << d));
        // A circuit missing two dimensions counts in no facet and is no hit.
        if missed.count_ones() > 1 {
            continue;
        }
        // The straight line through the Earth is never longer than the geodesic: a start
        // whose chord is beyond the radius is beyond it, without the geodesic's cost.
        if let (Some(from), Some(r)) = (near_ecef, filter.radius)
            && chord_m(from, row.start_ecef) > r
        {
            continue;
        }
        // The distance only for circuits that passed the cheap tests.
        let distance = filter
            .near
            .map(|n| balade_core::geometry::distance_m(n, row.start));
        if let (Some(d), Some(r)) = (distance, filter.radius)
            && d > r
        {
            continue;
        }
        // Dimension d is counted under every filter but its own.
        let others = |d: usize| missed & !(1 << d) == 0;
        if others(0) {
            counts.difficulty[row.difficulty as usize] += 1;
        }
        if others(1) {
            counts.circuit_type[row.circuit_type as usize] += 1;
        }
        if others(2) {
            counts.practice[row.practice as usize] += 1;
        }
        if others(3) {
            (list.themes(row).iter()).for_each(|&i| counts.theme[i as usize] += 1);
        }
        if others(4) {
            (list.communes(row).iter()).for_each(|&i| counts.commune[i as usize] += 1);
        }
        if others(5) {
            (list.intercommunalities(row).iter())
                .for_each(|&i| counts.intercommunality[i as usize] += 1);
        }
        if missed == 0 {
            // Rank: words found in the name first.
            let in_name = words
                .iter()
                .filter(|w| c.folded_name.contains(w.as_str()))
                .count();
            hits.push((&**c, distance, in_name));
        }
    }
    let by_relevance =
        |a: &(&Indexed, Option<f64>, usize), b: &(&Indexed, Option<f64>, usize)| match (a.1, b.1) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => b.2.cmp(&a.2),
        };
    match filter.sort.unwrap_or(Sort::Relevance) {
        Sort::Relevance | Sort::Distance => hits.sort_by(by_relevance),
        Sort::Rating => hits.sort_by(|a, b| {
            let (ra, rb) = (
                catalog.rating(&a.0.summary.id),
                catalog.rating(&b.0.summary.id),
            );
            // Compared exactly (sum/count) rather than by the rounded average.
            let score = |r: Rating| (r.count > 0).then(|| r.sum as f64 / r.count as f64);
            match (score(ra), score(rb)) {
                (Some(x), Some(y)) => y.total_cmp(&x).then(rb.count.cmp(&ra.count)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| by_relevance(a, b))
        }),
        Sort::Duration => hits.sort_by_key(|h| h.0.summary.duration_min),
        Sort::Length => {
            hits.sort_by(|a, b| (a.0.summary.stats.length_m).total_cmp(&b.0.summary.stats.length_m))
        }
        Sort::Name => hits.sort_by(|a, b| a.0.folded_name.cmp(&b.0.folded_name)),
    }
    (
        hits.into_iter().map(|(c, d, _)| (c, d)).collect(),
        counts.facets(values),
    )
}

/// Which values of a dimension a filter picks, by id: those its folded values name.
fn picked<'a>(values: &Values, folded: impl IntoIterator<Item = &'a str>) -> Vec<bool> {
    let mut picked = vec![false; values.len()];
    for f in folded {
        values.folded_as(f).for_each(|id| picked[id] = true);
    }
    picked
}

/// Whether a circuit naming the values `ids` passes a dimension's filter (none: all do).
fn names_one(picked: &Option<Vec<bool>>, ids: &[u32]) -> bool {
    picked
        .as_ref()
        .is_none_or(|p| ids.iter().any(|&i| p[i as usize]))
}

/// Straight-line distance between two Earth-centred positions.
fn chord_m(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Facet counts by value index while the pass runs.
struct Counts {
    difficulty: Vec<usize>,
    circuit_type: Vec<usize>,
    practice: Vec<usize>,
    theme: Vec<usize>,
    commune: Vec<usize>,
    intercommunality: Vec<usize>,
}

impl Counts {
    /// The counts by name, values met only.
    fn facets(self, values: &FacetValues) -> Facets<'_> {
        fn met(counts: Vec<usize>) -> Vec<(usize, usize)> {
            (counts.into_iter().enumerate())
                .filter(|(_, n)| *n > 0)
                .collect()
        }
        /// The values met, by name (a few: sorted by their names).
        fn all<'a>(counts: Vec<usize>, name: impl Fn(usize) -> &'a str) -> Counted<'a> {
            let mut met = met(counts);
            met.sort_unstable_by_key(|&(i, _)| name(i));
            Counted(met.into_iter().map(|(i, n)| (name(i), n)).collect())
        }
        /// The values met, by name; the [`MAX_PLACE_FACETS`] with the most circuits
        /// (then first by name) when there are more. Tens of thousands at national
        /// scale: partitioned and sorted by ranks, not by comparing names.
        fn most(counts: Vec<usize>, values: &Values) -> Counted<'_> {
            let mut met = met(counts);
            if met.len() > MAX_PLACE_FACETS {
                met.select_nth_unstable_by_key(MAX_PLACE_FACETS - 1, |&(i, n)| {
                    (std::cmp::Reverse(n), values.rank_by_name(i))
                });
                met.truncate(MAX_PLACE_FACETS);
            }
            met.sort_unstable_by_key(|&(i, _)| values.rank_by_name(i));
            Counted(met.into_iter().map(|(i, n)| (values.name(i), n)).collect())
        }
        Facets {
            difficulty: all(self.difficulty, |i| Difficulty::ALL[i].as_str()),
            circuit_type: all(self.circuit_type, |i| CircuitType::ALL[i].as_str()),
            practice: all(self.practice, |i| Practice::ALL[i].as_str()),
            theme: all(self.theme, |i| values.themes.name(i)),
            commune: most(self.commune, &values.communes),
            intercommunality: most(self.intercommunality, &values.intercommunalities),
        }
    }
}

/// The list answer for `filter` as JSON, texts in `lang`: the bytes serde gives a
/// [`CircuitCollection`], written with no value built per feature.
pub fn list_json(catalog: &Catalog, filter: &CircuitFilter, lang: &str) -> Vec<u8> {
    let (hits, facets) = select(catalog, filter);
    let page = (hits.iter())
        .skip(filter.offset.unwrap_or(0))
        .take(filter.limit.unwrap_or(DEFAULT_LIMIT));
    let mut buf = Vec::with_capacity(4096 + 1024 * page.len());
    write_list(
        &mut buf,
        hits.len(),
        &facets,
        page.map(|&(c, d)| ListRow::of(&c.summary, d, catalog.rating(&c.summary.id), lang)),
    );
    buf
}

/// What one feature of the list shows, borrowed from the catalogue.
struct ListRow<'a> {
    circuit: &'a CircuitSummary,
    name: &'a str,
    summary: &'a str,
    rating: Rating,
    distance_m: Option<f64>,
}

impl<'a> ListRow<'a> {
    fn of(
        circuit: &'a CircuitSummary,
        distance_m: Option<f64>,
        rating: Rating,
        lang: &str,
    ) -> Self {
        let (name, summary, _) = lang::texts(
            &circuit.translations,
            lang,
            &circuit.name,
            &circuit.summary,
            "",
        );
        Self {
            circuit,
            name,
            summary,
            rating,
            distance_m,
        }
    }
}

/// Writes the bytes serde gives a [`CircuitCollection`] of these rows.
fn write_list<'a>(
    buf: &mut Vec<u8>,
    total: usize,
    facets: &Facets,
    rows: impl Iterator<Item = ListRow<'a>>,
) {
    buf.extend_from_slice(br#"{"type":"FeatureCollection","total":"#);
    json::integer(buf, total as u64);
    buf.extend_from_slice(br#","facets":"#);
    // Counts by borrowed names: nothing is built per value.
    let _ = serde_json::to_writer(&mut *buf, facets);
    buf.extend_from_slice(br#","features":["#);
    for (i, row) in rows.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let c = row.circuit;
        let id = c.id.as_str();
        buf.extend_from_slice(br#"{"type":"Feature","id":"#);
        json::text(buf, id);
        buf.extend_from_slice(br#","geometry":"#);
        json::point(buf, c.start);
        // The fields of `CircuitProperties`, in its order.
        buf.extend_from_slice(br#","properties":{"id":"#);
        json::text(buf, id);
        buf.extend_from_slice(br#","name":"#);
        json::text(buf, row.name);
        buf.extend_from_slice(br#","summary":"#);
        json::text(buf, row.summary);
        buf.extend_from_slice(br#","length_m":"#);
        json::number(buf, c.stats.length_m.round());
        buf.extend_from_slice(br#","ascent_m":"#);
        json::number(buf, c.stats.ascent_m.round());
        buf.extend_from_slice(br#","descent_m":"#);
        json::number(buf, c.stats.descent_m.round());
        buf.extend_from_slice(br#","duration_min":"#);
        json::integer(buf, u64::from(c.duration_min));
        buf.extend_from_slice(br#","difficulty":"#);
        json::text(buf, c.difficulty.as_str());
        buf.extend_from_slice(br#","type":"#);
        json::text(buf, c.circuit_type.as_str());
        buf.extend_from_slice(br#","practice":"#);
        json::text(buf, c.practice.as_str());
        buf.extend_from_slice(br#","themes":"#);
        json::texts(buf, &c.themes);
        buf.extend_from_slice(br#","communes":"#);
        json::texts(buf, &c.communes);
        buf.extend_from_slice(br#","intercommunalities":"#);
        json::texts(buf, &c.intercommunalities);
        buf.extend_from_slice(br#","rating":{"average":"#);
        match row.rating.average() {
            Some(average) => json::number(buf, average),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(br#","count":"#);
        json::integer(buf, row.rating.count);
        buf.push(b'}');
        if let Some(d) = row.distance_m {
            buf.extend_from_slice(br#","distance_m":"#);
            json::number(buf, round1(d));
        }
        buf.extend_from_slice(b"}}");
    }
    buf.extend_from_slice(b"]}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_facets_keep_the_communes_with_the_most_circuits() {
        let n = MAX_PLACE_FACETS + 200;
        let values = FacetValues {
            themes: Values::of(vec!["eau".into()]).into(),
            communes: Values::of((0..n).map(|i| format!("Commune {i:05}")).rev().collect()).into(),
            intercommunalities: Values::of(vec!["CC".into(), "CA".into()]).into(),
        };
        // Commune i counts i % 7 circuits: a seventh count none and are left out
        // anyway; of the rest, the most counted win, ties by name.
        let counts = Counts {
            difficulty: vec![2, 1, 1, 0],
            circuit_type: vec![0; CircuitType::ALL.len()],
            practice: vec![0; Practice::ALL.len()],
            theme: vec![3],
            commune: (0..n).map(|i| i % 7).collect(),
            intercommunality: vec![1, 0],
        };
        let commune_counts = counts.commune.clone();
        let f = counts.facets(&values);
        assert_eq!(f.commune.0.len(), MAX_PLACE_FACETS);
        // The same choice made the slow way: sorted by count, then name.
        let mut expected: Vec<(usize, &str)> = (0..n)
            .filter(|&i| commune_counts[i] > 0)
            .map(|i| (commune_counts[i], values.communes.name(i)))
            .collect();
        expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        expected.truncate(MAX_PLACE_FACETS);
        expected.sort_by_key(|&(_, name)| name);
        let expected: Vec<(&str, usize)> = (expected.into_iter()).map(|(c, n)| (n, c)).collect();
        assert_eq!(f.commune.0, expected);
        // Small dimensions are whole, zero counts out, by name.
        assert_eq!(f.difficulty.0, [("easy", 2), ("hard", 1), ("medium", 1)]);
        assert_eq!(f.intercommunality.0, [("CC", 1)]);
        assert_eq!(f.theme.get("eau"), Some(3));
        // Encoded as an object in that order.
        assert_eq!(
            serde_json::to_string(&f.difficulty).expect("json"),
            r#"{"easy":2,"hard":1,"medium":1}"#
        );
    }

    #[test]
    fn the_list_writer_gives_the_bytes_serde_gives() {
        use balade_core::{CircuitId, TraceStats, Translation, Translations};
        let texts = [
            "Boucle des lavoirs",
            "",
            "Le \"Moulin\" du Roy",
            "back\\slash",
            "ligne\nsuivante\t\u{1}",
            "Église Saint-Étienne 🌳",
            "</script><b>",
        ];
        let words = |i: usize, n: usize| -> Vec<String> {
            (0..n)
                .map(|k| texts[(i + k) % texts.len()].to_owned())
                .collect()
        };
        let circuits: Vec<CircuitSummary> = (0..texts.len() * 3)
            .map(|i| {
                let mut translations = Translations::new();
                // English: a name only, a summary only, or both.
                let english = [(true, false), (false, true), (true, true)][i % 3];
                if i % 2 == 0 {
                    translations.insert(
                        "en".to_owned(),
                        Translation {
                            name: english.0.then(|| format!("Walk {i}")),
                            summary: english.1.then(|| texts[(i + 3) % texts.len()].to_owned()),
                            ..Translation::default()
                        },
                    );
                }
                CircuitSummary {
                    id: CircuitId::new(format!("c-{i}")).expect("id"),
                    name: texts[i % texts.len()].to_owned(),
                    summary: texts[(i + 1) % texts.len()].to_owned(),
                    description: "not in the list".to_owned(),
                    practice: Practice::ALL[i % Practice::ALL.len()],
                    themes: words(i, i % 3),
                    communes: words(i + 1, i % 4),
                    intercommunalities: words(i + 2, i % 2),
                    start: LonLat::new(2.0 + i as f64 * 0.123_456_789, 48.5 - i as f64 / 7.0)
                        .expect("valid"),
                    stats: TraceStats {
                        length_m: 1_234.5 + i as f64 * 1_000.37,
                        ascent_m: [0.0, 0.49, 12.5, 1e-9][i % 4],
                        descent_m: i as f64 * 3.3,
                        ..TraceStats::default()
                    },
                    duration_min: (i * 37) as u32,
                    difficulty: Difficulty::ALL[i % Difficulty::ALL.len()],
                    circuit_type: CircuitType::ALL[i % CircuitType::ALL.len()],
                    translations,
                }
            })
            .collect();
        let rating = |i: usize| Rating {
            sum: (i * 7 % 11) as u64,
            count: (i % 3) as u64,
        };
        let distance =
            |i: usize| (!i.is_multiple_of(3)).then(|| [0.04, 12.35, 1_999.96, 1e-9][i % 4]);
        let facets = Facets {
            difficulty: Counted(vec![("easy", 2), ("hard", 1)]),
            theme: Counted(vec![("\"eau\"", 3), ("forêt", 1)]),
            commune: Counted(vec![("Provins", 12)]),
            ..Facets::default()
        };
        for lang in ["fr", "en"] {
            for n in [0, 1, circuits.len()] {
                let rows = circuits[..n].iter().enumerate();
                let mut ours = Vec::new();
                write_list(
                    &mut ours,
                    n + 5,
                    &facets,
                    (rows.clone()).map(|(i, c)| ListRow::of(c, distance(i), rating(i), lang)),
                );
                let theirs = serde_json::to_vec(&CircuitCollection {
                    kind: "FeatureCollection",
                    total: n + 5,
                    facets: Facets {
                        difficulty: Counted(facets.difficulty.0.clone()),
                        theme: Counted(facets.theme.0.clone()),
                        commune: Counted(facets.commune.0.clone()),
                        ..Facets::default()
                    },
                    features: rows
                        .map(|(i, c)| CircuitFeature {
                            kind: "Feature",
                            id: c.id.to_string(),
                            geometry: PointGeometry::of(c.start),
                            properties: CircuitProperties::of(c, distance(i), rating(i), lang),
                        })
                        .collect(),
                })
                .expect("encoded");
                assert_eq!(
                    String::from_utf8(ours).expect("text"),
                    String::from_utf8(theirs).expect("text")
                );
            }
        }
    }

    #[test]
    fn a_filter_picks_every_value_folded_alike() {
        let values = Values::of(vec!["Église".into(), "Moulin".into(), "eglise".into()]);
        assert_eq!(picked(&values, ["eglise"]), [true, false, true]);
        assert_eq!(picked(&values, ["moulin", "lavoir"]), [false, true, false]);
        assert_eq!(picked(&values, ["eglis"]), [false, false, false]);
        assert!(names_one(&None, &[]));
        assert!(names_one(&Some(vec![false, true]), &[0, 1]));
        assert!(!names_one(&Some(vec![false, true]), &[0]));
    }
}
