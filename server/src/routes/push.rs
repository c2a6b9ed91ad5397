//! `GET /api/v1/push`: the WebSocket upgrade of a push session (see [`crate::push`]).

use crate::error::{ApiError, ErrorBody};
use crate::lang;
use crate::push::session;
use crate::query::Params;
use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

#[utoipa::path(get, path = "/api/v1/push", tag = "push",
    responses((status = 101, description = "WebSocket: send fixes, receive POIs reached"),
              (status = 400, body = ErrorBody), (status = 503, body = ErrorBody, description = "Too many sessions")))]
pub async fn push(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
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
