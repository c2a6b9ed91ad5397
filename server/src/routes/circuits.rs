//! Circuits: the filtered list, the sheet, the elevation profile and downloads.

use super::{AcceptLanguage, Path};
use crate::error::{ApiError, ApiResult, BadRequest, NotFound, TooManyRequests};
use crate::lang;
use crate::query::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use balade_app::App;
use balade_app::formats::Format;
use balade_app::search::{
    self, CircuitCollection, CircuitFilter, MAX_LIMIT, MAX_RADIUS_M, parse_bbox, parse_lonlat,
};
use balade_app::sheet::CircuitSheet;
use balade_core::text::{fold, slug};
use std::fmt::Write;
use std::sync::Arc;

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
    "sort",
    "lang",
];

/// The list's filters from its query string.
fn filter_of(raw: Option<&str>) -> ApiResult<CircuitFilter> {
    let p = Params::parse(raw)?;
    p.only(FILTER_PARAMS)?;
    let near = p
        .text("near")
        .map(|t| Ok::<_, ApiError>(parse_lonlat(t)?))
        .transpose()?;
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
    Ok(CircuitFilter {
        q: p.free_text("q")?.map(str::to_owned),
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
        bbox: p
            .text("bbox")
            .map(|t| Ok::<_, ApiError>(parse_bbox(t)?))
            .transpose()?,
        limit,
        offset: p.get("offset")?,
        sort: match p.get::<search::Sort>("sort")? {
            Some(search::Sort::Distance) if near.is_none() => {
                return Err(ApiError::BadRequest(
                    "`sort=distance` needs `near=lon,lat`".into(),
                ));
            }
            sort => sort,
        },
        lang: p.text("lang").map(str::to_owned),
    })
}

/// Published circuits, filtered; geometry is each circuit's start.
#[utoipa::path(get, path = "/api/v1/circuits", tag = "circuits", operation_id = "list_circuits",
    params(CircuitFilter, AcceptLanguage),
    responses((status = 200, description = "The circuits matching, a page of them, and the facets", body = CircuitCollection),
              (status = 400, response = BadRequest)))]
pub async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let filter = filter_of(raw.as_deref())?;
    let lang = lang::pick(filter.lang.as_deref(), &headers)?;
    let body = search::list_json(&app.catalog.current(), &filter, lang);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// The full sheet of a circuit; geometry is its trace.
#[utoipa::path(get, path = "/api/v1/circuits/{id}", tag = "circuits", operation_id = "circuit_sheet",
    params(("id" = String, Path, description = "Circuit id"),
           ("lang" = Option<String>, Query, description = "Language of the texts (`fr`, `en`; default from `Accept-Language`, else French)"),
           AcceptLanguage),
    responses((status = 200, description = "The sheet", body = CircuitSheet, links(
                  ("first_poi" = (operation_id = "poi", parameters(("id" = "$response.body#/properties/pois/0")),
                      description = "The first POI along the way")),
                  ("first_media" = (operation_id = "media_file", parameters(
                      ("id" = "$response.body#/properties/media/0/id"),
                      ("file" = "{$response.body#/properties/media/0/sizes/0/width}.jpg")),
                      description = "The narrowest file of the circuit's first photo")))),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn sheet(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    let body = app.sheet(&id, lang).await?;
    let json = HeaderValue::from_static("application/json");
    // Sent compressed as it is kept, when the client takes brotli; the compression
    // layer leaves an answer that names its encoding alone.
    Ok(if crate::headers::accepts_brotli(&headers) {
        (
            [
                (header::CONTENT_TYPE, json),
                (header::CONTENT_ENCODING, HeaderValue::from_static("br")),
                (header::VARY, HeaderValue::from_static("accept-encoding")),
            ],
            Bytes::from_owner(body.brotli),
        )
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, json)], Bytes::from_owner(body.json)).into_response()
    })
}

/// The elevation profile: `[[distance_m, elevation_m], …]`, empty when the trace has no
/// elevation.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/profile", tag = "circuits", operation_id = "circuit_profile",
    params(("id" = String, Path, description = "Circuit id")),
    responses((status = 200, description = "`[[distance_m, elevation_m], …]` along the trace", body = Vec<[f64; 2]>),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn elevation_profile(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<[f64; 2]>>> {
    Ok(Json(app.profile(&id).await?))
}

/// The trace as a file to save, with the sheet's POIs as waypoints or placemarks.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/download", tag = "circuits", operation_id = "circuit_download",
    params(("id" = String, Path, description = "Circuit id"),
           ("format" = Option<String>, Query, description = "`gpx` (default), `kml` or `geojson`")),
    responses((status = 200, description = "The file, in the format asked",
                  headers(("Content-Disposition" = String, description = "An attachment named after the circuit")),
                  content((String = "application/gpx+xml"), (String = "application/vnd.google-earth.kml+xml"),
                          (Object = "application/geo+json"))),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 429, response = TooManyRequests)))]
pub async fn download(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["format"])?;
    let format = p.get::<Format>("format")?.unwrap_or(Format::Gpx);
    let (circuit, body) = app.download(&id, format).await?;
    let disposition = content_disposition(&circuit.name, format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// An attachment named after the circuit: an ASCII fallback and the UTF-8 name (RFC 6266).
pub fn content_disposition(name: &str, ext: &str) -> String {
    let ascii = match slug(name) {
        s if s.is_empty() => "circuit".to_owned(),
        s => s,
    };
    let mut encoded = String::new();
    for b in format!("{name}.{ext}").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    format!("attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_has_ascii_and_utf8_names() {
        let d = content_disposition("Forêt & rochers", "gpx");
        assert_eq!(
            d,
            "attachment; filename=\"foret-rochers.gpx\"; filename*=UTF-8''For%C3%AAt%20%26%20rochers.gpx"
        );
    }
}
