//! Open-data exports of the whole published catalogue (`balade export`): GeoJSON, GPX
//! and CSV, in WGS84 lon/lat, written with the same writers as the per-circuit downloads;
//! and the circuits alone in the national hiking-trail schema ([`crate::schema_randonnee`]).

use crate::AppError;
use crate::formats::{circuit_feature, gpx_document, poi_feature};
use balade_core::sensitivity::SensitivityList;
use balade_core::store::{Store, StoreError};
use balade_core::{Circuit, Poi};
use std::collections::HashSet;
use std::fmt::Write;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    GeoJson,
    Gpx,
    Csv,
    /// The circuits as `schema_randonnee` itineraries; no POIs.
    SchemaRandonnee,
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "geojson" => Ok(Self::GeoJson),
            "gpx" => Ok(Self::Gpx),
            "csv" => Ok(Self::Csv),
            "schema-randonnee" => Ok(Self::SchemaRandonnee),
            _ => Err(format!(
                "unknown export format `{s}` (expected geojson, gpx, csv or schema-randonnee)"
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Encode(String),
}

/// What was exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub circuits: usize,
    pub pois: usize,
}

/// The licence of the open data an installation publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    pub name: String,
    pub url: String,
}

impl Default for Licence {
    /// Etalab's Licence Ouverte 2.0, the French public sector's licence for open data.
    fn default() -> Self {
        Self {
            name: "Licence Ouverte / Open Licence 2.0 (Etalab)".into(),
            url: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/".into(),
        }
    }
}

/// Which part of the catalogue an export holds: every published circuit and POI, or
/// those of some communes (INSEE codes or names) and intercommunalities (SIRENs or
/// names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ExportFilter {
    pub communes: Vec<String>,
    pub intercommunalities: Vec<String>,
}

impl ExportFilter {
    pub fn is_empty(&self) -> bool {
        self.communes.is_empty() && self.intercommunalities.is_empty()
    }
}

/// The communes a filter names, as the store knows them.
fn communes_named<'a>(
    all: &'a [balade_core::Commune],
    filter: &ExportFilter,
) -> Vec<&'a balade_core::Commune> {
    let folded = |s: &str| s.trim().to_lowercase();
    all.iter()
        .filter(|c| {
            filter
                .communes
                .iter()
                .any(|f| f.trim() == c.code.as_str() || folded(f) == folded(&c.name))
                || filter.intercommunalities.iter().any(|f| {
                    c.intercommunality_code.as_deref() == Some(f.trim())
                        || c.intercommunality.as_deref().map(folded) == Some(folded(f))
                })
        })
        .collect()
}

/// The published circuits and the POIs that go with them: their own, and the ones of
/// no circuit (heritage, services…); POIs of unpublished circuits stay out, and
/// sensitive ones go as the sensitivity list lets them. With a filter: the circuits
/// crossing its communes, their POIs, and the POIs of no circuit lying in them.
async fn catalogue(
    store: &dyn Store,
    filter: &ExportFilter,
) -> Result<(Vec<Circuit>, Vec<Poi>), StoreError> {
    let all_communes = if filter.is_empty() {
        Vec::new()
    } else {
        store.communes().await?
    };
    let chosen = communes_named(&all_communes, filter);
    let names: HashSet<&str> = chosen.iter().map(|c| c.name.as_str()).collect();
    let circuits: Vec<Circuit> = store
        .all_circuits()
        .await?
        .into_iter()
        .filter(|c| c.published)
        .filter(|c| filter.is_empty() || c.communes.iter().any(|n| names.contains(n.as_str())))
        .collect();
    let in_chosen = |p: &Poi| {
        filter.is_empty()
            || p.insee
                .as_ref()
                .is_some_and(|code| chosen.iter().any(|c| &c.code == code))
            || p.pos
                .is_some_and(|pos| chosen.iter().any(|c| balade_core::Area::contains(*c, pos)))
    };
    let published: HashSet<&str> = circuits.iter().map(|c| c.id.as_str()).collect();
    let sensitivity = SensitivityList::load(store).await?;
    let unpublished: std::collections::HashSet<balade_core::PoiId> =
        store.unpublished_pois().await?.into_iter().collect();
    let pois = store
        .all_pois()
        .await?
        .into_iter()
        .filter(|p| match &p.circuit {
            Some(c) => published.contains(c.as_str()),
            None => in_chosen(p),
        })
        .filter(|p| !unpublished.contains(&p.id))
        .filter_map(|p| sensitivity.protect(p))
        .collect();
    Ok((circuits, pois))
}

pub async fn export(
    store: &dyn Store,
    format: ExportFormat,
) -> Result<(Vec<u8>, Exported), ExportError> {
    export_of(store, format, &ExportFilter::default(), &Licence::default()).await
}

/// [`export`] of the part of the catalogue `filter` names.
pub async fn export_of(
    store: &dyn Store,
    format: ExportFormat,
    filter: &ExportFilter,
    licence: &Licence,
) -> Result<(Vec<u8>, Exported), ExportError> {
    let (circuits, mut pois) = catalogue(store, filter).await?;
    if format == ExportFormat::SchemaRandonnee {
        pois.clear();
    }
    let exported = Exported {
        circuits: circuits.len(),
        pois: pois.len(),
    };
    let encode = |e: AppError| ExportError::Encode(e.to_string());
    let bytes = match format {
        ExportFormat::GeoJson => {
            let mut features: Vec<serde_json::Value> =
                circuits.iter().map(circuit_feature).collect();
            features.extend(pois.iter().map(poi_feature));
            serde_json::json!({
                "type": "FeatureCollection",
                "licence": { "name": licence.name, "url": licence.url },
                "features": features
            })
            .to_string()
            .into_bytes()
        }
        ExportFormat::Gpx => {
            let metadata = gpx::Metadata {
                name: Some("Balade".into()),
                ..Default::default()
            };
            gpx_document(metadata, &circuits, &pois).map_err(encode)?
        }
        ExportFormat::Csv => csv(&circuits, &pois).into_bytes(),
        ExportFormat::SchemaRandonnee => crate::schema_randonnee::feature_collection(&circuits)
            .to_string()
            .into_bytes(),
    };
    Ok((bytes, exported))
}

/// One row per record (RFC 4180 quoting): circuits with their start, then POIs.
fn csv(circuits: &[Circuit], pois: &[Poi]) -> String {
    let mut out = String::from(
        "record,id,name,kind,circuit,lon,lat,length_m,ascent_m,duration_min,difficulty,type,practice,themes,description\r\n",
    );
    for c in circuits {
        let start = c.trace.start();
        let row = [
            "circuit".to_owned(),
            c.id.to_string(),
            c.name.clone(),
            String::new(),
            String::new(),
            start.map(|p| p.lon().to_string()).unwrap_or_default(),
            start.map(|p| p.lat().to_string()).unwrap_or_default(),
            c.stats.length_m.round().to_string(),
            c.stats.ascent_m.round().to_string(),
            c.duration_min.to_string(),
            c.difficulty.to_string(),
            c.circuit_type.to_string(),
            c.practice.to_string(),
            c.themes.join("|"),
            c.description.clone(),
        ];
        push_row(&mut out, &row);
    }
    for p in pois {
        let row = [
            "poi".to_owned(),
            p.id.to_string(),
            p.name.clone(),
            p.kind.to_string(),
            p.circuit
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            p.pos.map(|q| q.lon().to_string()).unwrap_or_default(),
            p.pos.map(|q| q.lat().to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            p.description.clone(),
        ];
        push_row(&mut out, &row);
    }
    out
}

/// A text cell as a spreadsheet must read it: one that would start a formula (`=`,
/// `+`, `-`, `@`, a tab or a carriage return) is led by an apostrophe, unless it is a
/// plain number (a negative longitude).
fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

pub(crate) fn push_row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let f = neutralised(f);
        if f.contains([',', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", f.replace('"', "\"\""));
        } else {
            out.push_str(&f);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut out = String::new();
        push_row(
            &mut out,
            &[
                "a".into(),
                "b,c".into(),
                "say \"hi\"".into(),
                "two\nlines".into(),
            ],
        );
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }

    #[test]
    fn csv_cells_that_would_be_formulas_are_neutralised() {
        let mut out = String::new();
        push_row(
            &mut out,
            &[
                "=HYPERLINK(\"http://evil.example\",\"clic\")".into(),
                "+1+1".into(),
                "@SUM(A1)".into(),
                "-2.70".into(),
                "-cmd".into(),
                "Lavoir".into(),
            ],
        );
        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"clic\"\")\",'+1+1,'@SUM(A1),-2.70,'-cmd,Lavoir\r\n"
        );
    }

    #[test]
    fn formats_parse() {
        assert_eq!("gpx".parse(), Ok(ExportFormat::Gpx));
        assert_eq!(
            "schema-randonnee".parse(),
            Ok(ExportFormat::SchemaRandonnee)
        );
        assert!("shp".parse::<ExportFormat>().is_err());
    }
}
