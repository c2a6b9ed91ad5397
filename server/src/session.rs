//! The staff session as HTTP carries it: the `balade_session` cookie (HttpOnly,
//! SameSite=Strict, Secure when the request came over TLS through a trusted proxy), the
//! [`CurrentStaff`] extractor of the back-office's handlers, and the same-origin rule of
//! every staff write: a request whose `Origin` is missing or names another site is
//! refused before any handler runs, so that a cross-site form or fetch carrying the
//! cookie does nothing.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use balade_app::staff::{self, SESSION_LIFETIME, Staff};

pub const COOKIE: &str = "balade_session";

/// The session token the request's cookies carry.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// The request came over TLS: only a trusted proxy can say so (the server speaks plain
/// HTTP itself).
pub fn over_tls(headers: &HeaderMap, behind_proxy: bool) -> bool {
    behind_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` of a new session, or (`token` `None`) of its end.
pub fn set_cookie(token: Option<&str>, secure: bool) -> HeaderValue {
    let (value, age) = match token {
        Some(t) => (t, SESSION_LIFETIME.as_secs()),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::try_from(format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{secure}"
    ))
    .expect("a cookie of hex digits is a valid header")
}

/// The staff member logged in, for the handlers that need one: `401` without an open
/// session.
#[derive(Debug, Clone)]
pub struct CurrentStaff(pub Staff);

impl FromRequestParts<AppState> for CurrentStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token(&parts.headers).ok_or_else(not_logged_in)?;
        staff::who(state.app.store.as_ref(), &token)
            .await?
            .map(CurrentStaff)
            .ok_or_else(not_logged_in)
    }
}

/// The staff member logged in, if any: for answers that show more to staff.
#[derive(Debug, Clone)]
pub struct MaybeStaff(pub Option<Staff>);

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeStaff(match token(&parts.headers) {
            Some(token) => staff::who(state.app.store.as_ref(), &token).await?,
            None => None,
        }))
    }
}

fn not_logged_in() -> ApiError {
    ApiError::Unauthorized("log in first: no open session".into())
}

/// The authority (`host[:port]`) the client addressed: `Host`, or behind a trusted proxy
/// the `X-Forwarded-Host` it sets.
fn own_authority(headers: &HeaderMap, behind_proxy: bool) -> Option<&str> {
    let forwarded = behind_proxy
        .then(|| headers.get("x-forwarded-host"))
        .flatten();
    forwarded
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').next().unwrap_or(v).trim())
}

/// Why a write's `Origin` is refused, if it is.
pub fn cross_site(headers: &HeaderMap, behind_proxy: bool) -> Option<String> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Some(
            "this request needs an Origin header (staff writes come from the back-office)".into(),
        );
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match (authority, own_authority(headers, behind_proxy)) {
        (Some(a), Some(own)) if a.eq_ignore_ascii_case(own) => None,
        _ => Some(format!(
            "cross-site request refused: Origin {origin} is not this site"
        )),
    }
}

/// Middleware of `/api/v1/auth/*` and `/api/v1/admin/*`: writes from another origin
/// are refused with `403`.
pub async fn same_origin(
    State(behind_proxy): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && let Some(reason) = cross_site(request.headers(), behind_proxy) {
        return ApiError::Forbidden(reason).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "a=1; balade_session=abc ; b=2")]);
        assert_eq!(token(&h).as_deref(), Some("abc"));
        assert_eq!(token(&headers(&[("cookie", "balade_sessionx=1")])), None);
    }

    #[test]
    fn cookies_are_strict_http_only_and_secure_over_tls() {
        let c = set_cookie(Some("ab12"), true);
        let c = c.to_str().expect("value");
        for part in [
            "balade_session=ab12",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
        ] {
            assert!(c.contains(part), "{c}");
        }
        assert!(
            !set_cookie(None, false)
                .to_str()
                .expect("value")
                .contains("Secure")
        );
        assert!(
            set_cookie(None, false)
                .to_str()
                .expect("value")
                .contains("Max-Age=0")
        );
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert!(over_tls(&h, true) && !over_tls(&h, false));
    }

    #[test]
    fn writes_must_come_from_this_site() {
        let own = [("host", "balade.example:8080")];
        assert!(cross_site(&headers(&own), false).is_some(), "no Origin");
        let same = headers(&[own[0], ("origin", "http://balade.example:8080")]);
        assert_eq!(cross_site(&same, false), None);
        for other in [
            "http://evil.example",
            "http://balade.example",
            "null",
            "balade.example:8080",
        ] {
            let h = headers(&[own[0], ("origin", other)]);
            assert!(cross_site(&h, false).is_some(), "{other}");
        }
        // Behind a proxy, the host the client addressed is the proxy's.
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "balade.example"),
            ("origin", "https://balade.example"),
        ]);
        assert_eq!(cross_site(&proxied, true), None);
        assert!(cross_site(&proxied, false).is_some());
    }
}
