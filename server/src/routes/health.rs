//! Liveness for load balancers: `ok` only when the database answers.

use crate::error::{ApiError, ApiResult};
use axum::extract::State;
use balade_core::store::Store;
use std::sync::Arc;

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = String, description = "`ok`"), (status = 503, body = crate::error::ErrorBody)))]
pub async fn healthz(State(store): State<Arc<dyn Store>>) -> ApiResult<&'static str> {
    store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check failed");
        ApiError::Unavailable
    })?;
    Ok("ok")
}
