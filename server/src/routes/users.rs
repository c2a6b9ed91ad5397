//! `/api/v1/admin/users`: account care from the back-office, for admins (the first
//! admin is made on the command line).

use super::Path;
use crate::error::{ApiError, ApiResult, BadRequest, Forbidden, NotFound, Unauthorized};
use crate::session::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use balade_app::staff::{self, AccountView};
use balade_core::accounts::{Role, TerritoryCode};
use serde_json::{Value, json};

/// Every account, by e-mail.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "staff", operation_id = "admin_users",
    responses((status = 200, body = Object), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentStaff(who): CurrentStaff,
) -> ApiResult<Json<Value>> {
    staff::require_admin(&who)?;
    let accounts = staff::list(state.app.store.as_ref()).await?;
    let users: Vec<AccountView> = accounts.into_iter().map(AccountView::from).collect();
    Ok(Json(json!({ "users": users })))
}

/// A new account.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    /// `admin`, `editor` or `moderator`.
    pub role: String,
    /// INSEE commune and SIREN intercommunality codes (editors).
    #[serde(default)]
    pub territory: Vec<String>,
    /// At least 12 characters.
    pub password: String,
}

/// Makes an account.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "staff", operation_id = "admin_add_user",
    request_body = NewUser,
    responses((status = 201, description = "The account", body = Object),
              (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden)))]
pub async fn add(
    State(state): State<AppState>,
    CurrentStaff(who): CurrentStaff,
    body: Result<Json<NewUser>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<AccountView>)> {
    staff::require_admin(&who)?;
    let Json(new) = body.map_err(|e| {
        ApiError::BadRequest(format!(
            "an account is JSON {{\"email\", \"role\", \"territory\": [codes], \"password\"}}: {}",
            e.body_text()
        ))
    })?;
    let role: Role = new
        .role
        .parse()
        .map_err(|e: balade_core::accounts::AccountError| ApiError::BadRequest(e.to_string()))?;
    let territory = new
        .territory
        .iter()
        .map(|c| TerritoryCode::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let account = staff::add_user(
        state.app.store.as_ref(),
        &new.email,
        role,
        territory,
        &new.password,
    )
    .await?;
    tracing::info!(email = %account.email, role = %account.role, by = %who.email, "account added");
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Disables an account: it is logged out and can no longer log in.
#[utoipa::path(post, path = "/api/v1/admin/users/{email}/disable", tag = "staff", operation_id = "admin_disable_user",
    params(("email" = String, Path)),
    responses((status = 204, description = "Disabled"), (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
              (status = 404, response = NotFound)))]
pub async fn disable(
    State(state): State<AppState>,
    CurrentStaff(who): CurrentStaff,
    Path(email): Path<String>,
) -> ApiResult<StatusCode> {
    staff::require_admin(&who)?;
    if email.trim().eq_ignore_ascii_case(&who.email) {
        return Err(ApiError::BadRequest(
            "an admin cannot disable their own account here".into(),
        ));
    }
    staff::disable(state.app.store.as_ref(), &email).await?;
    tracing::info!(email = %email, by = %who.email, "account disabled");
    Ok(StatusCode::NO_CONTENT)
}
