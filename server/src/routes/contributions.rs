//! Walkers' contributions over HTTP: reviews, flags, trail reports and corrections
//! (JSON, or multipart forms with photos), each bounded in size, rate-limited per
//! address and per device, and answered once per `Idempotency-Key`; the published
//! reviews of a circuit, a report's private follow link, a contribution's photo.

use super::{Binary, Path, form_text, show_at_once};
use crate::error::{ApiError, ApiResult, BadRequest, ErrorBody, NotFound, TooManyRequests};
use crate::limits::{Peer, RateLimiter, client_of};
use crate::query::Params;
use crate::session::MaybeStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequest, Multipart, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::contributions::{
    Answer, CorrectionInput, FlagInput, ReportInput, ReviewInput, ReviewList,
};
use balade_core::contributions::{MAX_PHOTO_BYTES, MAX_PHOTOS};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// The largest JSON body of a contribution.
pub const MAX_JSON_BYTES: usize = 64 << 10;
/// The largest multipart form: its photos and a little for the rest.
pub const MAX_FORM_BYTES: usize = MAX_PHOTOS * MAX_PHOTO_BYTES + (1 << 20);

/// The per-address and per-device limits of public writes.
#[derive(Debug, Clone)]
pub struct PublicWrites {
    pub by_address: RateLimiter<IpAddr>,
    pub by_device: RateLimiter<String>,
}

impl PublicWrites {
    /// A write every 6 s on average, 20 in a burst: a walker back in coverage sends
    /// what their phone kept at once; a script is stopped after its first twenty.
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self {
            by_address: RateLimiter::new(per_second, burst),
            by_device: RateLimiter::new(per_second, burst),
        }
    }
}

impl Default for PublicWrites {
    fn default() -> Self {
        Self::new(1.0 / 6.0, 20.0)
    }
}

/// The `Idempotency-Key` and `X-Balade-Device` headers of the public writes (for the
/// document only).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct WriteHeaders {
    /// A key the client makes for this submission (a UUID): a repeat with the same key
    /// gets the first answer and creates nothing.
    #[param(rename = "Idempotency-Key", required = false, max_length = 128)]
    idempotency_key: String,
    /// A random id the app keeps on the device, for per-device rate limits.
    #[param(rename = "X-Balade-Device", required = false, max_length = 64)]
    device: String,
}

/// Takes a token from the client's and the device's buckets: `429` when either is empty.
fn admit(state: &AppState, peer: Peer, headers: &HeaderMap) -> ApiResult<()> {
    let refuse = |wait| {
        ApiError::TooMany(
            "too many contributions from here: wait a little and send again".into(),
            wait,
        )
    };
    if let Some(client) = client_of(peer.0, headers, state.behind_proxy) {
        state
            .public_writes
            .by_address
            .take(client, 1.0)
            .map_err(refuse)?;
    }
    let device = headers
        .get("x-balade-device")
        .and_then(|v| v.to_str().ok())
        .filter(|d| {
            (8..=64).contains(&d.len())
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if let Some(device) = device {
        state
            .public_writes
            .by_device
            .take(device.to_owned(), 1.0)
            .map_err(refuse)?;
    }
    Ok(())
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|k| Some(k.trim().to_owned()))
            .map_err(|_| ApiError::BadRequest("`Idempotency-Key` must be plain ASCII".into())),
    }
}

/// The answer as it was first given.
fn answered(a: Answer) -> Response {
    let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::ACCEPTED);
    let mut r = (status, a.body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The fields of a form that are numbers in JSON.
const NUMBERS: [&str; 3] = ["rating", "lon", "lat"];

/// A contribution's fields and photos, from a JSON body or a multipart form (fields by
/// name, `photo` files).
async fn read_body<T: DeserializeOwned>(
    state: &AppState,
    request: Request,
    photos_allowed: bool,
) -> ApiResult<(T, Vec<Vec<u8>>)> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Json(value) = Json::<Value>::from_request(request, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("a JSON object: {}", e.body_text())))?;
        let input = serde_json::from_value(value)
            .map_err(|e| ApiError::BadRequest(format!("the body: {e}")))?;
        return Ok((input, Vec::new()));
    }
    if !photos_allowed {
        return Err(ApiError::BadRequest("this takes a JSON body".into()));
    }
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| ApiError::BadRequest(format!("the form: {}", e.body_text())))?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::BadRequest(format!("the form is not a valid multipart form: {e}"))
    };
    let mut fields = Map::new();
    let mut photos: Vec<Vec<u8>> = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            if photos.len() == MAX_PHOTOS {
                while let Ok(Some(_)) = field.chunk().await {}
                drop(field);
                drain(&mut form).await;
                return Err(ApiError::BadRequest(format!(
                    "at most {MAX_PHOTOS} photos per contribution"
                )));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                    while let Ok(Some(_)) = field.chunk().await {}
                    drop(field);
                    drain(&mut form).await;
                    return Err(ApiError::TooLarge(format!(
                        "photo {} is over {} MB",
                        photos.len() + 1,
                        MAX_PHOTO_BYTES >> 20
                    )));
                }
                bytes.extend_from_slice(&chunk);
            }
            // A file input left empty sends an empty part.
            if !bytes.is_empty() {
                photos.push(bytes);
            }
            continue;
        }
        let text = form_text(&mut field, 6_000, bad).await?;
        let number = NUMBERS.contains(&name.as_str()).then(|| text.trim());
        let value = match number {
            Some(n) if n.parse::<i64>().is_ok() => {
                Value::from(n.parse::<i64>().unwrap_or_default())
            }
            Some(n) => n
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::String(text.clone()), Value::Number),
            None => Value::String(text.clone()),
        };
        fields.insert(name, value);
    }
    let input = serde_json::from_value(Value::Object(fields))
        .map_err(|e| ApiError::BadRequest(format!("the form: {e}")))?;
    Ok((input, photos))
}

/// What a public write brings, once admitted by the rate limits: its idempotency key,
/// its fields and its photos.
async fn submission<T: DeserializeOwned>(
    state: &AppState,
    peer: Peer,
    request: Request,
    photos_allowed: bool,
) -> ApiResult<(Option<String>, T, Vec<Vec<u8>>)> {
    admit(state, peer, request.headers())?;
    let key = idempotency_key(request.headers())?;
    let (input, photos) = read_body::<T>(state, request, photos_allowed).await?;
    Ok((key, input, photos))
}

/// A review of a circuit: pending until a moderator publishes it.
#[utoipa::path(post, path = "/api/v1/circuits/{id}/reviews", tag = "contributions", operation_id = "add_review",
    params(("id" = String, Path, description = "Circuit id"), WriteHeaders),
    request_body(content(
        (ReviewInput = "application/json"),
        (Object = "multipart/form-data")),
        description = "`rating` (1–5), `text`, `name`; a form may add up to 3 `photo` files"),
    responses((status = 202, description = "Received, pending: `id`, `status`", body = Object),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 413, description = "A photo or the body is too large", body = ErrorBody),
              (status = 429, response = TooManyRequests)))]
pub async fn add_review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    request: Request,
) -> ApiResult<Response> {
    let (key, input, photos) = submission::<ReviewInput>(&state, peer, request, true).await?;
    Ok(answered(
        state.app.review(&id, input, photos, key.as_deref()).await?,
    ))
}

/// The published reviews of a circuit, newest first, with its rating.
#[utoipa::path(get, path = "/api/v1/circuits/{id}/reviews", tag = "contributions", operation_id = "circuit_reviews",
    params(("id" = String, Path, description = "Circuit id"),
           ("limit" = Option<u32>, Query, description = "At most this many (default 20, at most 100)"),
           ("offset" = Option<u32>, Query)),
    responses((status = 200, description = "The rating and a page of published reviews", body = ReviewList),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn reviews(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ReviewList>> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["limit", "offset"])?;
    let limit = p.number("limit", 1.0..=100.0, 20.0)? as u32;
    let offset = p.number("offset", 0.0..=1e9, 0.0)? as u32;
    Ok(Json(state.app.reviews(&id, limit, offset).await?))
}

/// Sends a published review back to the moderators; it leaves public answers until
/// published again.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/flag", tag = "contributions", operation_id = "flag_review",
    params(("id" = String, Path, description = "Review id"), WriteHeaders),
    request_body(content = Option<FlagInput>, content_type = "application/json"),
    responses((status = 202, description = "Flagged: `id`, `status`", body = Object),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 429, response = TooManyRequests)))]
pub async fn flag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Peer,
    request: Request,
) -> ApiResult<Response> {
    admit(&state, peer, request.headers())?;
    let key = idempotency_key(request.headers())?;
    let has_body = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_none_or(|v| v.as_bytes() != b"0")
        && request.headers().contains_key(header::CONTENT_TYPE);
    let input = if has_body {
        read_body::<FlagInput>(&state, request, false).await?.0
    } else {
        FlagInput::default()
    };
    let answer = state.app.flag(&id, input, key.as_deref()).await?;
    show_at_once(&state).await;
    Ok(answered(answer))
}

/// A trail problem at a position: new until staff handle it. The answer's `follow` is
/// a private link to its status.
#[utoipa::path(post, path = "/api/v1/reports", tag = "contributions", operation_id = "add_report",
    params(WriteHeaders),
    request_body(content(
        (ReportInput = "application/json"),
        (Object = "multipart/form-data")),
        description = "`lon`, `lat`, `category`, `message`, optional `email` and `circuit`; a form may add up to 3 `photo` files"),
    responses((status = 202, description = "Received: `id`, `status`, `follow`", body = Object),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 413, description = "A photo or the body is too large", body = ErrorBody),
              (status = 429, response = TooManyRequests)))]
pub async fn add_report(
    State(state): State<AppState>,
    peer: Peer,
    request: Request,
) -> ApiResult<Response> {
    let (key, input, photos) = submission::<ReportInput>(&state, peer, request, true).await?;
    Ok(answered(
        state.app.report(input, photos, key.as_deref()).await?,
    ))
}

/// A report, for the holder of its private link.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "contributions", operation_id = "followed_report",
    params(("id" = String, Path, description = "Report id"),
           ("token" = String, Query, description = "The token of the report's follow link")),
    responses((status = 200, description = "The report and its status", body = balade_app::contributions::FollowedReport),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn followed_report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["token"])?;
    let token = p
        .text("token")
        .ok_or_else(|| ApiError::BadRequest("`token` is required".into()))?;
    let report = state.app.followed_report(&id, token).await?;
    let mut r = Json(report).into_response();
    // The link is a secret: never kept by a shared cache.
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}

/// A proposed text for a field of a circuit or a POI: pending until a moderator
/// accepts (it becomes an edit) or rejects it.
#[utoipa::path(post, path = "/api/v1/corrections", tag = "contributions", operation_id = "add_correction",
    params(WriteHeaders),
    request_body(content = CorrectionInput, content_type = "application/json"),
    responses((status = 202, description = "Received, pending: `id`, `status`", body = Object),
              (status = 400, response = BadRequest), (status = 404, response = NotFound),
              (status = 429, response = TooManyRequests)))]
pub async fn add_correction(
    State(state): State<AppState>,
    peer: Peer,
    request: Request,
) -> ApiResult<Response> {
    let (key, input, _) = submission::<CorrectionInput>(&state, peer, request, false).await?;
    Ok(answered(state.app.correction(input, key.as_deref()).await?))
}

/// A contribution's photo (JPEG, re-encoded without metadata): public once its review
/// is published, otherwise for moderators and admins.
#[utoipa::path(get, path = "/api/v1/contributions/{id}/photos/{n}", tag = "contributions", operation_id = "contribution_photo",
    params(("id" = String, Path), ("n" = u32, Path, description = "From 0")),
    responses((status = 200, description = "The photo", body = Binary, content_type = "image/jpeg"),
              (status = 400, response = BadRequest), (status = 404, response = NotFound)))]
pub async fn photo(
    State(state): State<AppState>,
    MaybeStaff(staff): MaybeStaff,
    Path((id, n)): Path<(String, u32)>,
) -> ApiResult<Response> {
    let bytes = state.app.contribution_photo(&id, n, staff.as_ref()).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    // Unpublished photos are for the staff who asked: no shared cache keeps them.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(r)
}

/// Reads the parts left of a refused form, within the form's limit: the client, still
/// sending, then gets the answer rather than a broken connection.
async fn drain(form: &mut Multipart) {
    while let Ok(Some(mut next)) = form.next_field().await {
        while let Ok(Some(_)) = next.chunk().await {}
    }
}
