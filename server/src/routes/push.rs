//! `GET /api/v1/push`: the WebSocket upgrade of a push session (see [`crate::push`]).

use super::AcceptLanguage;
use crate::error::{ApiError, BadRequest, ErrorBody, Unavailable};
use crate::lang;
use crate::push::session;
use crate::query::Params;
use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// A push session: the client sends its fixes, the server each POI once as the walker
/// reaches it. A request that is not a WebSocket upgrade gets a JSON error like any other.
#[utoipa::path(get, path = "/api/v1/push", tag = "push", operation_id = "push",
    params(("lang" = Option<String>, Query, description = "Language of the POIs sent (`fr`, `en`; default from `Accept-Language`, else French)"),
           AcceptLanguage),
    responses((status = 101, description = "WebSocket: send fixes, receive POIs reached"),
              (status = 400, response = BadRequest),
              (status = 426, description = "The connection cannot be upgraded (HTTP/1.0)", body = ErrorBody),
              (status = 503, response = Unavailable)))]
pub async fn push(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    let ws = ws?;
    let permit = state.push.take().ok_or(ApiError::Busy)?;
    let limits = state.push.limits;
    let app = state.app.clone();
    Ok(ws
        .max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        .on_upgrade(move |socket| async move {
            session(socket, app, limits, lang).await;
            drop(permit);
        }))
}
