//! Liveness for load balancers: `ok` only when the database answers.

use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::extract::State;
use balade_app::App;
use std::sync::Arc;

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = String, description = "`ok`"), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(app): State<Arc<App>>) -> ApiResult<&'static str> {
    app.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check failed");
        ApiError::Unavailable
    })?;
    Ok("ok")
}
