//! Rows to domain values, once for both backends. Each backend selects the same column
//! names with the same meaning (text for JSON lists and traces, lon/lat as numbers) and
//! implements [`Fields`] for its row type.

use super::codec::{decode_list, decode_polygons, decode_trace};
use super::{StoreError, StoreResult};
use crate::domain::{
    Circuit, CircuitId, CircuitSummary, Commune, Insee, Landscape, LonLat, Media, MediaOwner,
    Observation, Poi, PoiId, PoiPoint, Sensitivity, SpeciesCell, Taxon, TraceStats, Translations,
};
use crate::record::{Record, RecordKind};
use sqlx::Row;
use std::str::FromStr;

/// Typed access to a row's columns by name.
pub(super) trait Fields {
    fn text(&self, column: &str) -> StoreResult<String>;
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>>;
    fn real(&self, column: &str) -> StoreResult<f64>;
    fn opt_real(&self, column: &str) -> StoreResult<Option<f64>>;
    fn int(&self, column: &str) -> StoreResult<i64>;
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>>;
    fn flag(&self, column: &str) -> StoreResult<bool>;
}

/// `Fields` for a driver's row type whose `$get(column)` decodes a column by name.
macro_rules! fields_for {
    ($row:ty, $get:ident) => {
        impl Fields for $row {
            fn text(&self, column: &str) -> StoreResult<String> {
                Ok(self.$get(column)?)
            }
            fn opt_text(&self, column: &str) -> StoreResult<Option<String>> {
                Ok(self.$get(column)?)
            }
            fn real(&self, column: &str) -> StoreResult<f64> {
                Ok(self.$get(column)?)
            }
            fn opt_real(&self, column: &str) -> StoreResult<Option<f64>> {
                Ok(self.$get(column)?)
            }
            fn int(&self, column: &str) -> StoreResult<i64> {
                Ok(self.$get(column)?)
            }
            fn opt_int(&self, column: &str) -> StoreResult<Option<i64>> {
                Ok(self.$get(column)?)
            }
            fn flag(&self, column: &str) -> StoreResult<bool> {
                Ok(self.$get(column)?)
            }
        }
    };
}

fields_for!(sqlx::sqlite::SqliteRow, try_get);
fields_for!(sqlx::postgres::PgRow, try_get);
fields_for!(NamedRow<'_>, get);

/// A row of the SQLite file read outside the pool (see `sqlite_scan`), its columns
/// found by name in its statement's list, resolved once: rusqlite's own lookup asks
/// SQLite for every column's name on every read.
pub(super) struct NamedRow<'r> {
    pub row: &'r rusqlite::Row<'r>,
    pub names: &'r [String],
}

impl NamedRow<'_> {
    fn get<T: rusqlite::types::FromSql>(&self, column: &str) -> rusqlite::Result<T> {
        match self.names.iter().position(|n| n == column) {
            Some(i) => self.row.get(i),
            None => Err(rusqlite::Error::InvalidColumnName(column.into())),
        }
    }
}

/// A position column of a row, as each backend stores it: `NAME_lon` and `NAME_lat`
/// numbers in SQLite, `NAME_wkb` (a PostGIS geometry sent as WKB) in PostgreSQL.
pub(super) trait Positions {
    fn point(&self, name: &str) -> StoreResult<LonLat>;
    /// A position column that may be empty (a POI without location).
    fn opt_point(&self, name: &str) -> StoreResult<Option<LonLat>>;
}

/// `Positions` as SQLite holds them, for a driver's row type.
macro_rules! lon_lat_positions_for {
    ($row:ty) => {
        impl Positions for $row {
            fn point(&self, name: &str) -> StoreResult<LonLat> {
                let (lon, lat) = (
                    self.real(&format!("{name}_lon"))?,
                    self.real(&format!("{name}_lat"))?,
                );
                LonLat::new(lon, lat).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
            fn opt_point(&self, name: &str) -> StoreResult<Option<LonLat>> {
                match self.opt_real(&format!("{name}_lon"))? {
                    Some(_) => self.point(name).map(Some),
                    None => Ok(None),
                }
            }
        }
    };
}

lon_lat_positions_for!(sqlx::sqlite::SqliteRow);
lon_lat_positions_for!(NamedRow<'_>);

impl Positions for sqlx::postgres::PgRow {
    fn point(&self, name: &str) -> StoreResult<LonLat> {
        let bytes: Vec<u8> = self.try_get(format!("{name}_wkb").as_str())?;
        super::wkb::read_point(&bytes)
    }
    fn opt_point(&self, name: &str) -> StoreResult<Option<LonLat>> {
        let bytes: Option<Vec<u8>> = self.try_get(format!("{name}_wkb").as_str())?;
        bytes.as_deref().map(super::wkb::read_point).transpose()
    }
}

fn parse<T: FromStr>(row: &impl Fields, column: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    row.text(column)?
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

/// Columns of a circuit summary, as every backend names them (`start` is a position:
/// see [`Positions`]).
pub(super) const SUMMARY_FIELDS: &[&str] = &[
    "id",
    "name",
    "summary",
    "description",
    "practice",
    "themes",
    "communes",
    "intercommunalities",
    "start_lon",
    "start_lat",
    "length_m",
    "ascent_m",
    "descent_m",
    "min_elevation_m",
    "max_elevation_m",
    "duration_min",
    "difficulty",
    "circuit_type",
    "translations",
];

pub(super) fn summary(row: &(impl Fields + Positions)) -> StoreResult<CircuitSummary> {
    Ok(CircuitSummary {
        id: parse(row, "id")?,
        name: row.text("name")?,
        summary: row.text("summary")?,
        description: row.text("description")?,
        practice: parse(row, "practice")?,
        themes: decode_list(&row.text("themes")?)?,
        communes: decode_list(&row.text("communes")?)?,
        intercommunalities: decode_list(&row.text("intercommunalities")?)?,
        start: row.point("start")?,
        stats: TraceStats {
            length_m: row.real("length_m")?,
            ascent_m: row.real("ascent_m")?,
            descent_m: row.real("descent_m")?,
            min_elevation_m: row.opt_real("min_elevation_m")?,
            max_elevation_m: row.opt_real("max_elevation_m")?,
        },
        duration_min: u32::try_from(row.int("duration_min")?)
            .map_err(|e| StoreError::Corrupt(format!("duration_min: {e}")))?,
        difficulty: parse(row, "difficulty")?,
        circuit_type: parse(row, "circuit_type")?,
        translations: json(row, "translations")?,
    })
}

/// A JSON text column read into its type.
fn json<T: serde::de::DeserializeOwned>(row: &impl Fields, column: &str) -> StoreResult<T> {
    serde_json::from_str(&row.text(column)?)
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

/// A whole circuit: the summary columns plus `source`, `trace`, `published` and
/// `practical`.
pub(super) fn circuit(row: &(impl Fields + Positions)) -> StoreResult<Circuit> {
    let s = summary(row)?;
    Ok(Circuit {
        id: s.id,
        source: row.text("source")?,
        name: s.name,
        summary: s.summary,
        description: s.description,
        practice: s.practice,
        themes: s.themes,
        communes: s.communes,
        intercommunalities: s.intercommunalities,
        trace: decode_trace(&row.text("trace")?)?,
        stats: s.stats,
        duration_min: s.duration_min,
        difficulty: s.difficulty,
        circuit_type: s.circuit_type,
        published: row.flag("published")?,
        practical: json(row, "practical")?,
        translations: s.translations,
    })
}

pub(super) fn poi(row: &(impl Fields + Positions)) -> StoreResult<Poi> {
    let corrupt = |e: crate::domain::DomainError| StoreError::Corrupt(e.to_string());
    Ok(Poi {
        id: parse(row, "id")?,
        source: row.text("source")?,
        kind: parse(row, "kind")?,
        name: row.text("name")?,
        description: row.text("description")?,
        pos: row.opt_point("pos")?,
        ele: row.opt_real("ele")?,
        circuit: row
            .opt_text("circuit_id")?
            .map(CircuitId::new)
            .transpose()
            .map_err(corrupt)?,
        commune: row.opt_text("commune")?,
        insee: row
            .opt_text("insee")?
            .as_deref()
            .map(Insee::new)
            .transpose()
            .map_err(corrupt)?,
        details: serde_json::from_str(&row.text("details")?)
            .map_err(|e| StoreError::Corrupt(format!("details: {e}")))?,
    })
}

pub(super) fn landscape(row: &impl Fields) -> StoreResult<Landscape> {
    Ok(Landscape {
        id: parse(row, "id")?,
        source: row.text("source")?,
        name: row.text("name")?,
        description: row.text("description")?,
        polygons: decode_polygons(&row.text("polygons")?)?,
    })
}

pub(super) fn commune_name(row: &impl Fields) -> StoreResult<(Insee, String)> {
    let code = Insee::new(&row.text("code")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((code, row.text("name")?))
}

pub(super) fn commune(row: &impl Fields) -> StoreResult<Commune> {
    let (code, name) = commune_name(row)?;
    Ok(Commune {
        code,
        name,
        intercommunality: row.opt_text("intercommunality")?,
        intercommunality_code: row.opt_text("intercommunality_code")?,
        polygons: decode_polygons(&row.text("polygons")?)?,
    })
}

pub(super) fn poi_point(row: &(impl Fields + Positions)) -> StoreResult<PoiPoint> {
    Ok(PoiPoint {
        id: parse(row, "id")?,
        kind: parse(row, "kind")?,
        name: row.text("name")?,
        pos: row.point("pos")?,
        names: match row.opt_text("names")? {
            Some(json) => PoiPoint::names_of(
                serde_json::from_str::<Translations>(&json)
                    .map_err(|e| StoreError::Corrupt(format!("details.translations: {e}")))?,
            ),
            None => Vec::new(),
        },
    })
}

/// The POI points of a stream of rows, decoded as they come: no second copy of a
/// million rows, and the decoding overlaps the reading.
pub(super) async fn poi_points<R: Fields + Positions>(
    mut rows: impl futures_util::Stream<Item = Result<R, sqlx::Error>> + Unpin,
) -> StoreResult<Vec<PoiPoint>> {
    let mut points = Vec::new();
    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
        points.push(poi_point(&row)?);
    }
    points.shrink_to_fit();
    Ok(points)
}

pub(super) fn species_cell(row: &impl Fields) -> StoreResult<SpeciesCell> {
    let int = |c: &str| -> StoreResult<i32> {
        i32::try_from(row.int(c)?).map_err(|e| StoreError::Corrupt(format!("{c}: {e}")))
    };
    Ok(SpeciesCell {
        size_m: u32::try_from(row.int("size_m")?)
            .map_err(|e| StoreError::Corrupt(format!("size_m: {e}")))?,
        x: int("x")?,
        y: int("y")?,
        taxon: row.text("taxon")?,
        months: u16::try_from(row.int("months")?)
            .map_err(|e| StoreError::Corrupt(format!("months: {e}")))?,
        observations: u64::try_from(row.int("observations")?)
            .map_err(|e| StoreError::Corrupt(format!("observations: {e}")))?,
    })
}

/// Taxa columns: key, scientific_name, …, genus, sensitivity.
pub(super) const TAXON_COLUMNS: &str = "key, scientific_name, vernacular_name, rank, kingdom, phylum, class, \"order\", family, genus, sensitivity, ids";

pub(super) fn taxon(row: &impl Fields) -> StoreResult<(Taxon, Sensitivity)> {
    let level = u8::try_from(row.int("sensitivity")?)
        .ok()
        .and_then(Sensitivity::from_level);
    Ok((
        Taxon {
            key: row.text("key")?,
            scientific_name: row.text("scientific_name")?,
            vernacular_name: row.opt_text("vernacular_name")?,
            rank: row.opt_text("rank")?,
            kingdom: row.opt_text("kingdom")?,
            phylum: row.opt_text("phylum")?,
            class: row.opt_text("class")?,
            order: row.opt_text("order")?,
            family: row.opt_text("family")?,
            genus: row.opt_text("genus")?,
            ids: decode_list(&row.text("ids")?)?,
        },
        level.ok_or_else(|| StoreError::Corrupt("taxa.sensitivity".into()))?,
    ))
}

/// Observation columns joined with their taxon (`t.` columns), as both backends select
/// them; positions are `pos` (see [`Positions`]).
pub(super) fn observation(row: &(impl Fields + Positions)) -> StoreResult<Observation> {
    let (taxon, _) = taxon(row)?;
    Ok(Observation {
        source: row.text("source")?,
        taxon: taxon.into(),
        event_start: row.opt_text("event_start")?,
        event_end: row.opt_text("event_end")?,
        months: u16::try_from(row.int("months")?)
            .map_err(|e| StoreError::Corrupt(format!("months: {e}")))?,
        pos: row.point("pos")?,
        uncertainty_m: row.opt_real("uncertainty_m")?,
        count: row
            .opt_int("count")?
            .map(u32::try_from)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("count: {e}")))?,
        basis_of_record: row.opt_text("basis")?,
        license: row.opt_text("license")?,
    })
}

/// A media row with `files` as `width:bytes` pairs joined by commas (both backends build
/// that text in SQL).
pub(super) fn media(row: &impl Fields) -> StoreResult<Media> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("media {what}"));
    let owner_id = row.text("owner_id")?;
    let owner = match row.text("owner_kind")?.as_str() {
        "circuit" => MediaOwner::Circuit(CircuitId::new(owner_id).map_err(|_| corrupt("owner"))?),
        "poi" => MediaOwner::Poi(PoiId::new(owner_id).map_err(|_| corrupt("owner"))?),
        _ => return Err(corrupt("owner")),
    };
    let dim = |c: &str| -> StoreResult<Option<u32>> {
        row.opt_int(c)?
            .map(|v| u32::try_from(v).map_err(|_| corrupt(c)))
            .transpose()
    };
    let files = row
        .opt_text("files")?
        .unwrap_or_default()
        .split(',')
        .filter(|f| !f.is_empty())
        .map(|f| {
            let (w, b) = f.split_once(':').ok_or_else(|| corrupt("files"))?;
            Ok((
                w.parse().map_err(|_| corrupt("files"))?,
                b.parse().map_err(|_| corrupt("files"))?,
            ))
        })
        .collect::<StoreResult<Vec<(u32, u64)>>>()?;
    Ok(Media {
        id: row.text("id")?,
        owner,
        kind: parse(row, "kind")?,
        url: row.opt_text("url")?,
        title: row.opt_text("title")?,
        author: row.opt_text("author")?,
        license: row.opt_text("license")?,
        alt: row.opt_text("alt")?,
        width: dim("width")?,
        height: dim("height")?,
        position: u32::try_from(row.int("position")?).map_err(|_| corrupt("position"))?,
        files,
    })
}

/// A record of `kind` from a row of that kind's select.
pub(super) fn record(kind: RecordKind, row: &(impl Fields + Positions)) -> StoreResult<Record> {
    Ok(match kind {
        RecordKind::Circuit => Record::Circuit(circuit(row)?),
        RecordKind::Poi => Record::Poi(poi(row)?),
        RecordKind::Landscape => Record::Landscape(landscape(row)?),
        RecordKind::Commune => Record::Commune(commune(row)?),
        RecordKind::Observation => Record::Observation(observation(row)?),
    })
}

/// A contribution from a row of the contributions' columns.
pub(super) fn contribution(row: &impl Fields) -> StoreResult<crate::contributions::Contribution> {
    use crate::contributions::{Contribution, Kind, Status};
    let corrupt = |what: &str| StoreError::Corrupt(format!("contribution {what}"));
    let kind = row.text("kind")?;
    let status = row.text("status")?;
    Ok(Contribution {
        id: row.text("id")?,
        kind: Kind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status"))?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
        circuit: row.opt_text("circuit")?,
        target: row.opt_text("target")?,
        field: row.opt_text("field")?,
        rating: row
            .opt_int("rating")?
            .map(|r| u8::try_from(r).map_err(|_| corrupt("rating")))
            .transpose()?,
        name: row.opt_text("name")?,
        text: row.text("text")?,
        category: row.opt_text("category")?,
        lon: row.opt_real("lon")?,
        lat: row.opt_real("lat")?,
        commune: row.opt_text("commune")?,
        email: row.opt_text("email")?,
        token_hash: row.opt_text("token_hash")?,
        flag_reasons: serde_json::from_str(&row.text("flag_reasons")?)
            .map_err(|_| corrupt("flag reasons"))?,
        photos: u32::try_from(row.int("photos")?).map_err(|_| corrupt("photos"))?,
    })
}
