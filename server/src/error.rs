//! The one error type of the HTTP API. Client mistakes carry a message; server faults are
//! logged with their cause and answered with a generic text. Every error answer is JSON
//! `{"error": "…"}`, those of axum's own extractors too; every `503` says when to retry.
//!
//! The error answers as the OpenAPI document describes them are here as well
//! ([`BadRequest`], [`NotFound`], [`TooManyRequests`], [`Unavailable`], [`InternalError`]),
//! so that their shape and their description live beside the code that writes them.

use crate::limits::RETRY_AFTER_S;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::AppError;
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// No open staff session (or a wrong login).
    #[error("{0}")]
    Unauthorized(String),
    /// A session whose role or territory does not allow this, or a cross-site write.
    #[error("{0}")]
    Forbidden(String),
    /// The record is not in a state that allows it.
    #[error("{0}")]
    Conflict(String),
    /// An upload over the size limit.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts: the message, and the seconds to wait.
    #[error("{0}")]
    TooMany(String, u64),
    #[error("the database is unavailable")]
    Unavailable,
    #[error("the server is busy: try again later")]
    Busy,
    /// A request refused by one of axum's extractors before its handler ran (a path
    /// segment that is not UTF-8, a WebSocket request without its headers), with the
    /// extractor's status and text.
    #[error("{1}")]
    Rejected(StatusCode, String),
    #[error("internal error")]
    Internal(#[source] AppError),
    /// An answer that could not be written (never expected: a bug if seen).
    #[error("internal error")]
    Encode(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    pub error: String,
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(message) => ApiError::BadRequest(message),
            AppError::NotFound(message) => ApiError::NotFound(message),
            AppError::Forbidden(message) => ApiError::Forbidden(message),
            AppError::Conflict(message) => ApiError::Conflict(message),
            AppError::Unavailable => ApiError::Unavailable,
            other => ApiError::Internal(other),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError::Rejected(e.status(), e.body_text())
    }
}

impl From<WebSocketUpgradeRejection> for ApiError {
    fn from(e: WebSocketUpgradeRejection) -> Self {
        ApiError::Rejected(e.status(), e.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooMany(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Rejected(status, cause) if status.is_server_error() => {
                tracing::error!(%status, error = %cause, "request rejected by an extractor");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ApiError::Rejected(status, _) => *status,
            ApiError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ApiError::Encode(cause) => {
                tracing::error!(error = %cause, "answer not encoded");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let error = if status.is_server_error()
            && !matches!(self, ApiError::Unavailable | ApiError::Busy)
        {
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let retry_after = match &self {
            ApiError::TooMany(_, wait) => Some(*wait),
            _ if status == StatusCode::SERVICE_UNAVAILABLE => Some(RETRY_AFTER_S),
            _ => None,
        };
        let mut response = (status, Json(ErrorBody { error })).into_response();
        if let Some(wait) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A request the server does not take: an unknown parameter, a malformed value or id, a
/// value out of range, a query string over the caps (4 KiB in all, 20 values of one
/// parameter, free text of 200 characters or 12 words), a path segment that is not UTF-8.
#[derive(Debug, ToResponse)]
#[allow(dead_code)]
pub struct BadRequest(ErrorBody);

/// No such record (circuit, POI, landscape unit, media file or tile).
#[derive(Debug, ToResponse)]
#[allow(dead_code)]
pub struct NotFound(ErrorBody);

/// No open staff session, or (at login) a wrong e-mail and password pair.
#[derive(Debug, ToResponse)]
#[allow(dead_code)]
pub struct Unauthorized(ErrorBody);

/// The session's role or territory does not allow this, or a write came from another
/// site (its `Origin` is missing or not this server's).
#[derive(Debug, ToResponse)]
#[allow(dead_code)]
pub struct Forbidden(ErrorBody);

/// The record is not in a state that allows it (a job already committed).
#[derive(Debug, ToResponse)]
#[allow(dead_code)]
pub struct Conflict(ErrorBody);

/// Too many requests from this client on the expensive endpoints (offline packages,
/// downloads, tiles), or too many failed logins: try again after `Retry-After` seconds.
#[derive(Debug, ToResponse)]
#[response(headers(("Retry-After" = u64, description = "Seconds to wait before trying again")))]
#[allow(dead_code)]
pub struct TooManyRequests(ErrorBody);

/// The server cannot answer now: its database (or basemap server) is unreachable, too
/// many requests are in flight, or the answer took too long. Try again after
/// `Retry-After` seconds.
#[derive(Debug, ToResponse)]
#[response(headers(("Retry-After" = u64, description = "Seconds to wait before trying again")))]
#[allow(dead_code)]
pub struct Unavailable(ErrorBody);

/// A fault of the server (a bug, never expected); the text names no internals.
#[derive(Debug, ToResponse)]
#[allow(dead_code)]
pub struct InternalError(ErrorBody);

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(e: ApiError) -> (StatusCode, Option<String>, String) {
        let r = e.into_response();
        let status = r.status();
        let retry = r
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        (status, retry, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn unavailable_answers_say_when_to_retry() {
        for e in [ApiError::Unavailable, ApiError::Busy] {
            let (status, retry, body) = answer(e).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(retry.as_deref(), Some("1"));
            assert!(body.starts_with("{\"error\":"), "{body}");
        }
        let (_, retry, _) = answer(ApiError::NotFound("x".into())).await;
        assert_eq!(retry, None);
    }

    #[tokio::test]
    async fn extractor_rejections_are_json_and_faults_say_nothing() {
        let (status, _, body) = answer(ApiError::Rejected(
            StatusCode::BAD_REQUEST,
            "Invalid URL: Invalid UTF-8 in `id`".into(),
        ))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, r#"{"error":"Invalid URL: Invalid UTF-8 in `id`"}"#);
        let (status, _, body) = answer(ApiError::Rejected(
            StatusCode::INTERNAL_SERVER_ERROR,
            "No paths parameters found for matched route".into(),
        ))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body, r#"{"error":"internal error"}"#);
    }
}
