//! `/api/v1/auth/*`: staff login, logout and who is logged in.

use crate::error::{ApiError, ApiResult, BadRequest, Forbidden, TooManyRequests, Unauthorized};
use crate::limits::{Peer, client_of};
use crate::session::{self, CurrentStaff};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balade_app::staff::{self, LoginError, Staff};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

/// The body of a login.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

/// Opens a session: `204` with the session cookie. A wrong pair, an unknown e-mail and
/// a disabled account get the same answer after the same work.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff", operation_id = "login",
    request_body = Credentials,
    responses((status = 204, description = "Logged in: the `balade_session` cookie is set",
                  headers(("Set-Cookie" = String, description = "The session cookie (HttpOnly, SameSite=Strict)"))),
              (status = 400, response = BadRequest),
              (status = 401, response = Unauthorized),
              (status = 403, response = Forbidden),
              (status = 413, description = "The body is over 256 KiB"),
              (status = 429, response = TooManyRequests)))]
pub async fn login(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Result<Json<Credentials>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(credentials) = body.map_err(|e| {
        ApiError::BadRequest(format!(
            "a login is JSON {{\"email\", \"password\"}}: {}",
            e.body_text()
        ))
    })?;
    let address =
        client_of(peer, &headers, state.behind_proxy).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let throttle = &state.logins;
    if let Err(wait) = throttle.check(&credentials.email, address, Instant::now()) {
        return Err(ApiError::TooMany(
            "too many failed logins: wait before trying again".into(),
            wait.as_secs().max(1),
        ));
    }
    let store = state.app.store.as_ref();
    match staff::login(store, &credentials.email, &credentials.password).await {
        Ok((token, who)) => {
            throttle.succeeded(&credentials.email);
            // A new id at every login: the session the browser came with ends.
            if let Some(old) = session::token(&headers) {
                staff::logout(store, &old).await?;
            }
            tracing::info!(email = %who.email, "staff login");
            let cookie = session::set_cookie(
                Some(&token.0),
                session::over_tls(&headers, state.behind_proxy),
            );
            Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
        }
        Err(LoginError::BadCredentials) => {
            throttle.failed(&credentials.email, address, Instant::now());
            Err(ApiError::Unauthorized(
                LoginError::BadCredentials.to_string(),
            ))
        }
        Err(LoginError::App(e)) => Err(e.into()),
    }
}

/// Ends the session (if any) and clears its cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "staff", operation_id = "logout",
    responses((status = 204, description = "Logged out; the cookie is cleared"),
              (status = 403, response = Forbidden)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session::token(&headers) {
        staff::logout(state.app.store.as_ref(), &token).await?;
    }
    let cookie = session::set_cookie(None, session::over_tls(&headers, state.behind_proxy));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Who is logged in.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "staff", operation_id = "me",
    responses((status = 200, body = Staff), (status = 401, response = Unauthorized)))]
pub async fn me(CurrentStaff(who): CurrentStaff) -> Json<Staff> {
    Json(who)
}
