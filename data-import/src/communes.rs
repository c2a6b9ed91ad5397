//! Commune boundaries from GeoJSON: a FeatureCollection (or one Feature) of Polygon or
//! MultiPolygon communes, as IGN's ADMIN EXPRESS, geo.api.gouv.fr and most open-data
//! portals publish them.
//!
//! - **Code** (the key): the first of `code`, `insee`, `code_insee`, `insee_com`,
//!   `codgeo`, `com` (any case); a five-character INSEE code.
//! - **Name**: `nom`, `name`, `nom_com`, `libgeo`, `libelle`.
//! - **Intercommunality**, by name: `epci`, `nom_epci`, `libepci`, `epci_nom`,
//!   `intercommunalite`; else its code (`siren_epci`, `code_epci`, `codeEpci`), which
//!   then stands for its name. Communes outside any have none.
//! - Coordinates in WGS84, or in the projection a `crs` member names (Lambert 93 for
//!   ADMIN EXPRESS exports).
//! - A code given twice in one file is a rejection; without `--partial` one bad feature
//!   refuses the file.

use crate::features::{Fault, Parsed, area_of, read_area_features, text_property};
use crate::report::Rejection;
use balade_core::projection::Crs;
use balade_core::{Commune, Insee};
use serde_json::{Map, Value};
use std::path::Path;

const CODE: &[&str] = &["code", "insee", "code_insee", "insee_com", "codgeo", "com"];
const NAME: &[&str] = &["nom", "name", "nom_com", "libgeo", "libelle"];
const EPCI_NAME: &[&str] = &[
    "epci",
    "nom_epci",
    "libepci",
    "epci_nom",
    "intercommunalite",
];
const EPCI_CODE: &[&str] = &["siren_epci", "code_epci", "codeepci"];

pub fn parse(path: &Path, bytes: &[u8], partial: bool) -> Result<Parsed<Commune>, Vec<Rejection>> {
    read_area_features(
        path,
        bytes,
        partial,
        commune,
        |c| c.code.as_str().to_owned(),
        "code",
    )
}

fn commune(feature: &Value, crs: Crs) -> Result<Commune, Fault> {
    let empty = Map::new();
    let props = feature
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let code = text_property(props, CODE).ok_or(("code", "no INSEE code".to_owned()))?;
    // A code stored as a JSON number has lost the leading zero of départements 01 to 09;
    // a code given as text is taken as written.
    let numeric = CODE.iter().any(|key| {
        props
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(key) && v.is_u64())
    });
    let code = if numeric && code.len() == 4 {
        format!("0{code}")
    } else {
        code
    };
    let code = Insee::new(&code).map_err(|e| ("code", e.to_string()))?;
    let name = text_property(props, NAME).ok_or(("name", "no name".to_owned()))?;
    // "ZZZZZZZZZ" is ADMIN EXPRESS's code for a commune outside any intercommunality.
    let epci_code = text_property(props, EPCI_CODE).filter(|c| !c.chars().all(|ch| ch == 'Z'));
    let intercommunality = text_property(props, EPCI_NAME).or_else(|| epci_code.clone());
    // Only a well-formed SIREN names the intercommunality in a staff territory.
    let intercommunality_code =
        epci_code.filter(|c| c.len() == 9 && c.bytes().all(|b| b.is_ascii_digit()));
    Ok(Commune {
        polygons: area_of(feature, crs, "a commune")?,
        code,
        name,
        intercommunality,
        intercommunality_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use balade_core::{Area, LonLat};

    fn parse_text(text: &str, partial: bool) -> Result<Parsed<Commune>, Vec<Rejection>> {
        parse(Path::new("communes.geojson"), text.as_bytes(), partial)
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[2.6,48.3],[2.8,48.3],[2.8,48.5],[2.6,48.5],[2.6,48.3]]]}"#;

    #[test]
    fn geo_api_and_admin_express_properties() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{"nom":"Fontainebleau","code":"77186","codeEpci":"200072130"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"INSEE_COM":"77022","NOM":"Barbizon","NOM_EPCI":"CA du Pays de Fontainebleau"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"INSEE_COM":"77333","NOM":"Nemours","SIREN_EPCI":"ZZZZZZZZZ"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"code":1053,"nom":"Bourg-en-Bresse"}},"geometry":{SQUARE}}}
            ]}}"#
        );
        let p = parse_text(&text, false).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = p
            .records
            .iter()
            .map(|c| {
                (
                    c.code.as_str(),
                    c.name.as_str(),
                    c.intercommunality.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("77186", "Fontainebleau", Some("200072130")),
                ("77022", "Barbizon", Some("CA du Pays de Fontainebleau")),
                ("77333", "Nemours", None),
                ("01053", "Bourg-en-Bresse", None),
            ]
        );
        assert!(p.records[0].contains(LonLat::new(2.7, 48.4).unwrap()));
    }

    #[test]
    fn lambert_93_boundaries_are_reprojected() {
        // A 2 km square in Lambert 93 around Fontainebleau's centre.
        let centre = LonLat::new(2.7, 48.405).unwrap();
        let (x, y) = balade_core::projection::to_lambert93(centre).unwrap();
        let (w, s, e, n) = (x - 1000.0, y - 1000.0, x + 1000.0, y + 1000.0);
        let text = format!(
            r#"{{"type":"FeatureCollection",
              "crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::2154"}}}},
              "features":[{{"type":"Feature","properties":{{"code":"77186","nom":"Fontainebleau"}},
                "geometry":{{"type":"Polygon","coordinates":[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]}}}}]}}"#
        );
        let c = &parse_text(&text, false).unwrap().records[0];
        assert!(c.contains(centre));
        // 2 km is 0.027° of longitude and 0.018° of latitude there.
        let [w, s, e, n] = c.bbox();
        assert!((e - w - 0.027).abs() < 0.002, "{w} {e}");
        assert!((n - s - 0.018).abs() < 0.002, "{s} {n}");
        let unknown = text.replace("EPSG::2154", "EPSG::3857");
        let refused = parse_text(&unknown, false).unwrap_err();
        assert!(refused[0].reason.contains("EPSG::3857"), "{refused:?}");
        // Without the `crs` member, metres are not taken for degrees.
        let bare = text.replace("\"crs\"", "\"unused\"");
        let refused = parse_text(&bare, false).unwrap_err();
        assert!(refused[0].reason.contains("WGS84"), "{refused:?}");
    }

    #[test]
    fn bad_features_are_located_and_refuse_the_file_unless_partial() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{"nom":"Provins","code":"77379"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"nom":"Sans code"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"nom":"Mauvais code","code":"7731"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"nom":"Point","code":"77001"}},"geometry":{{"type":"Point","coordinates":[2.7,48.4]}}}},
              {{"type":"Feature","properties":{{"nom":"Provins bis","code":"77379"}},"geometry":{SQUARE}}}
            ]}}"#
        );
        let refused = parse_text(&text, false).unwrap_err();
        let fields: Vec<&str> = refused.iter().filter_map(|r| r.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                "feature 2: code",
                "feature 3: code",
                "feature 4: geometry",
                "feature 5: code"
            ]
        );
        assert!(refused[2].reason.contains("Point is not a commune"));
        assert!(refused[3].reason.contains("given twice"));
        let kept = parse_text(&text, true).unwrap();
        assert_eq!(kept.records.len(), 1);
        assert_eq!(kept.dropped.len(), 4);
    }
}
