//! A circuit as a file to save: GPX 1.1 (track and POIs as waypoints), KML 2.2 and GeoJSON.

use crate::along::along;
use crate::{App, AppError, AppResult};
use balade_core::{Circuit, Poi, Trace};
use serde_json::{Value, json};
use std::fmt::Write;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gpx,
    Kml,
    GeoJson,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "gpx" => Ok(Format::Gpx),
            "kml" => Ok(Format::Kml),
            "geojson" => Ok(Format::GeoJson),
            _ => Err("unknown format (expected gpx, kml or geojson)".into()),
        }
    }
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Gpx => "gpx",
            Format::Kml => "kml",
            Format::GeoJson => "geojson",
        }
    }
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Gpx => "application/gpx+xml",
            Format::Kml => "application/vnd.google-earth.kml+xml",
            Format::GeoJson => "application/geo+json",
        }
    }
}

impl App {
    /// Circuit `id` as a file in `format`, with the POIs along it as waypoints or
    /// placemarks; and the circuit, whose name names the file.
    pub async fn download(&self, id: &str, format: Format) -> AppResult<(Circuit, Vec<u8>)> {
        let (catalog, _) = self.fresh_for(id).await?;
        let circuit = self.circuit(id).await?;
        let pois: Vec<Poi> = along(
            self.store.as_ref(),
            &catalog,
            &circuit,
            &self.settings.corridors,
        )
        .await?
        .into_iter()
        .map(|a| a.poi)
        .collect();
        let body = render(format, &circuit, &pois)?;
        Ok((circuit, body))
    }
}

pub fn render(format: Format, circuit: &Circuit, pois: &[Poi]) -> AppResult<Vec<u8>> {
    match format {
        Format::Gpx => gpx_file(circuit, pois),
        Format::Kml => Ok(kml_file(circuit, pois).into_bytes()),
        Format::GeoJson => Ok(geojson_file(circuit, pois).to_string().into_bytes()),
    }
}

/// `LineString` for one segment, `MultiLineString` for several; `[lon, lat, ele?]`.
pub fn trace_geometry(trace: &Trace) -> Value {
    let lines: Vec<Vec<Vec<f64>>> = trace
        .segments
        .iter()
        .filter(|s| !s.is_empty())
        .map(|seg| {
            seg.iter()
                .map(|p| {
                    let mut v = vec![p.pos.lon(), p.pos.lat()];
                    v.extend(p.ele);
                    v
                })
                .collect()
        })
        .collect();
    match lines.as_slice() {
        [one] => json!({ "type": "LineString", "coordinates": one }),
        _ => json!({ "type": "MultiLineString", "coordinates": lines }),
    }
}

fn gpx_file(circuit: &Circuit, pois: &[Poi]) -> AppResult<Vec<u8>> {
    let metadata = gpx::Metadata {
        name: Some(circuit.name.clone()),
        description: non_empty(&circuit.description),
        keywords: (!circuit.themes.is_empty()).then(|| circuit.themes.join(", ")),
        ..Default::default()
    };
    gpx_document(metadata, std::slice::from_ref(circuit), pois)
}

/// A GPX 1.1 document: one track per circuit, POIs as waypoints.
pub fn gpx_document(
    metadata: gpx::Metadata,
    circuits: &[Circuit],
    pois: &[Poi],
) -> AppResult<Vec<u8>> {
    let waypoint = |lon: f64, lat: f64, ele: Option<f64>| {
        let mut w = gpx::Waypoint::new(geo_types::Point::new(lon, lat));
        w.elevation = ele;
        w
    };
    let tracks = circuits
        .iter()
        .map(|circuit| {
            let mut track = gpx::Track::new();
            track.name = Some(circuit.name.clone());
            track.description = non_empty(&circuit.description);
            track.type_ = Some(circuit.practice.to_string());
            for seg in &circuit.trace.segments {
                let mut s = gpx::TrackSegment::new();
                s.points = seg
                    .iter()
                    .map(|p| waypoint(p.pos.lon(), p.pos.lat(), p.ele))
                    .collect();
                track.segments.push(s);
            }
            track
        })
        .collect();
    let waypoints = pois
        .iter()
        .filter_map(|p| Some((p, p.pos?)))
        .map(|(p, pos)| {
            let mut w = waypoint(pos.lon(), pos.lat(), p.ele);
            w.name = Some(p.name.clone());
            w.description = non_empty(&p.description);
            w.type_ = Some(p.kind.to_string());
            w
        })
        .collect();
    let doc = gpx::Gpx {
        version: gpx::GpxVersion::Gpx11,
        creator: Some("Balade".into()),
        metadata: Some(metadata),
        waypoints,
        tracks,
        ..Default::default()
    };
    let mut out = Vec::new();
    gpx::write(&doc, &mut out).map_err(|e| AppError::Encode(format!("GPX: {e}")))?;
    Ok(out)
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn kml_file(circuit: &Circuit, pois: &[Poi]) -> String {
    let mut k = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n",
    );
    let _ = writeln!(k, "<name>{}</name>", xml_escape(&circuit.name));
    let _ = writeln!(
        k,
        "<description>{}</description>",
        xml_escape(&circuit.description)
    );
    let _ = writeln!(
        k,
        "<Placemark>\n<name>{}</name>\n<MultiGeometry>",
        xml_escape(&circuit.name)
    );
    for seg in circuit.trace.segments.iter().filter(|s| !s.is_empty()) {
        k.push_str("<LineString><tessellate>1</tessellate><coordinates>");
        for p in seg {
            let _ = write!(
                k,
                "{},{},{} ",
                p.pos.lon(),
                p.pos.lat(),
                p.ele.unwrap_or(0.0)
            );
        }
        k.push_str("</coordinates></LineString>\n");
    }
    k.push_str("</MultiGeometry>\n</Placemark>\n");
    for (p, pos) in pois.iter().filter_map(|p| Some((p, p.pos?))) {
        let _ = writeln!(
            k,
            "<Placemark><name>{}</name><description>{}</description><Point><coordinates>{},{}</coordinates></Point></Placemark>",
            xml_escape(&p.name),
            xml_escape(&p.description),
            pos.lon(),
            pos.lat()
        );
    }
    k.push_str("</Document>\n</kml>\n");
    k
}

fn geojson_file(circuit: &Circuit, pois: &[Poi]) -> Value {
    let mut features = vec![circuit_feature(circuit)];
    features.extend(pois.iter().map(poi_feature));
    json!({ "type": "FeatureCollection", "features": features })
}

/// A circuit as a GeoJSON Feature: its trace and its figures.
pub fn circuit_feature(circuit: &Circuit) -> Value {
    json!({
        "type": "Feature",
        "id": circuit.id.as_str(),
        "geometry": trace_geometry(&circuit.trace),
        "properties": {
            "name": circuit.name,
            "description": circuit.description,
            "length_m": circuit.stats.length_m.round(),
            "ascent_m": circuit.stats.ascent_m.round(),
            "descent_m": circuit.stats.descent_m.round(),
            "duration_min": circuit.duration_min,
            "difficulty": circuit.difficulty.as_str(),
            "type": circuit.circuit_type.as_str(),
            "practice": circuit.practice.as_str(),
            "themes": circuit.themes,
        }
    })
}

/// A POI as a GeoJSON Feature.
pub fn poi_feature(p: &Poi) -> Value {
    json!({
        "type": "Feature",
        "id": p.id.as_str(),
        // A POI without location keeps its place in the file with a null geometry.
        "geometry": p.pos.map(|q| json!({ "type": "Point", "coordinates": [q.lon(), q.lat()] })),
        "properties": {
            "name": p.name, "kind": p.kind.as_str(), "description": p.description,
            "circuit": p.circuit.as_ref().map(|c| c.as_str()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_escapes_markup() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}
