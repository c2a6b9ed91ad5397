//! Liveness for load balancers: `ok` only when the database answers.

use crate::error::{ApiError, ApiResult};
use axum::extract::State;
use balade_app::App;
use std::sync::Arc;

#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "healthz",
    responses((status = 200, description = "`ok`: the database answers", content_type = "text/plain", body = String)))]
pub async fn healthz(State(app): State<Arc<App>>) -> ApiResult<&'static str> {
    app.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check failed");
        ApiError::Unavailable
    })?;
    Ok("ok")
}
