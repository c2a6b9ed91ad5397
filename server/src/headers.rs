//! What every answer carries, and the two bounds every request is held to.
//!
//! - Security headers: a strict Content Security Policy the web app passes (its own
//!   scripts and styles only, media links over https, no framing: `frame-ancestors
//!   'none'`), no MIME sniffing, no referrer sent to other sites, geolocation for this
//!   origin only. The embeddable page (`/embed`) is the one exception: the same policy,
//!   but any site may frame it. An answer that sets its own policy keeps it.
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

/// The one policy of the web app's pages, with who may frame them.
macro_rules! policy {
    ($frame_ancestors:literal) => {
        concat!(
            "default-src 'self'; script-src 'self'; style-src 'self'; ",
            "img-src 'self' data: blob:; media-src 'self' https:; connect-src 'self'; ",
            "font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; ",
            "base-uri 'none'; form-action 'self'; frame-ancestors ",
            $frame_ancestors
        )
    };
}

/// The web app's policy: everything from this origin, nothing inline, no plugins, no
/// framing; media links may point to https servers.
pub const CONTENT_SECURITY_POLICY: &str = policy!("'none'");

/// The embeddable page's policy: the web app's, except that any site may frame it.
pub const EMBED_CONTENT_SECURITY_POLICY: &str = policy!("*");

/// The paths of the page other sites put in an iframe.
fn is_embed(path: &str) -> bool {
    matches!(path, "/embed" | "/embed.html")
}

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
    let embed = is_embed(request.uri().path());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if embed && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(EMBED_CONTENT_SECURITY_POLICY),
        );
    }
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

/// Whether the request's `Accept-Encoding` takes brotli: named with a weight above
/// zero, or not named and `*` is.
pub fn accepts_brotli(headers: &axum::http::HeaderMap) -> bool {
    let mut wildcard = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let weight = (parts.map(str::trim))
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
            if coding.eq_ignore_ascii_case("br") {
                return weight > 0.0;
            }
            wildcard |= coding == "*" && weight > 0.0;
        }
    }
    wildcard
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::middleware;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn headers_of(path: &str) -> axum::http::HeaderMap {
        let app = Router::new()
            .fallback(get(|| async { "page" }))
            .layer(middleware::from_fn(security));
        let request = Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("request");
        app.oneshot(request)
            .await
            .expect("answer")
            .headers()
            .clone()
    }

    #[tokio::test]
    async fn only_the_embeddable_page_may_be_framed_by_other_sites() {
        for path in ["/embed", "/embed.html"] {
            let h = headers_of(path).await;
            let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
            assert!(csp.ends_with("frame-ancestors *"), "{path}: {csp}");
            assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
            assert!(!h.contains_key(header::X_FRAME_OPTIONS), "{path}");
        }
        for path in ["/", "/admin", "/embedded", "/widget/v1/balade-circuits.js"] {
            let h = headers_of(path).await;
            assert_eq!(
                h[header::CONTENT_SECURITY_POLICY],
                CONTENT_SECURITY_POLICY,
                "{path}"
            );
            assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        }
    }

    #[test]
    fn brotli_is_taken_when_named_or_wildcarded_with_a_weight() {
        let with = |values: &[&str]| {
            let mut h = axum::http::HeaderMap::new();
            for v in values {
                h.append(
                    header::ACCEPT_ENCODING,
                    HeaderValue::from_str(v).expect("value"),
                );
            }
            accepts_brotli(&h)
        };
        assert!(with(&["gzip, deflate, br, zstd"]));
        assert!(with(&["gzip;q=1.0, BR;q=0.5"]));
        assert!(with(&["gzip", "br"]));
        assert!(with(&["*"]));
        assert!(!with(&[]));
        assert!(!with(&["gzip, deflate"]));
        assert!(!with(&["br;q=0, gzip"]));
        assert!(!with(&["br; q=0.000"]));
        assert!(!with(&["*;q=0"]));
        assert!(
            !with(&["br;q=0, *"]),
            "named refused wins over the wildcard"
        );
        assert!(!with(&["brotli, gzip"]));
        assert!(!with(&["br;q=x"]), "an unreadable weight is no");
    }
}
