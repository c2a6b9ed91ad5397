//! What every answer carries, and the two bounds every request is held to.
//!
//! - Security headers: a strict Content Security Policy the web app passes (its own
//!   scripts and styles only, media links over https, no framing: `frame-ancestors
//!   'none'`), no MIME sniffing, no referrer sent to other sites, geolocation for this
//!   origin only. An answer that sets its own policy (the embeddable page, later) keeps
//!   it.
//! - At most [`Limits::max_in_flight`] requests in flight and [`Limits::request`] for
//!   each: `503` with `Retry-After` beyond.

use crate::limits::{Limits, RETRY_AFTER_S, refusal};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The web app's policy: everything from this origin, nothing inline, no plugins, no
/// framing; media links may point to https servers.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data: blob:; media-src 'self' https:; \
    connect-src 'self'; font-src 'self'; worker-src 'self'; manifest-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "geolocation=(self), camera=(), microphone=(), payment=()",
    ),
];

/// Adds the security headers an answer does not set itself.
pub async fn security(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in HEADERS {
        let name = HeaderName::from_static(name);
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    // A framable answer (its own frame-ancestors) drops the blanket refusal.
    let framable = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| {
            csp.contains("frame-ancestors") && !csp.contains("frame-ancestors 'none'")
        });
    if framable {
        h.remove(header::X_FRAME_OPTIONS);
    }
    response
}

/// The requests in flight, and how long each may take.
#[derive(Debug, Clone)]
pub struct InFlight {
    slots: Arc<Semaphore>,
    timeout: Duration,
}

impl InFlight {
    pub fn new(limits: &Limits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            timeout: limits.request,
        }
    }
}

/// Refuses a request beyond the cap, and one that takes too long, with `503`.
pub async fn in_flight(State(guard): State<InFlight>, request: Request, next: Next) -> Response {
    let Ok(_slot) = guard.slots.clone().try_acquire_owned() else {
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy: try again in a moment",
            RETRY_AFTER_S,
        );
    };
    match tokio::time::timeout(guard.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "the answer took too long: try again later",
            RETRY_AFTER_S,
        ),
    }
}
