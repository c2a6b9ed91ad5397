//! What keeps a public server answering under abuse: bounds on connections, on the
//! time a client may take to say what it wants or stay idle, on requests in flight and
//! on their duration, and per-client rate limits on the expensive endpoints.
//!
//! - A connection must send its request headers within [`Limits::header_read`], and
//!   between two requests it may stay idle no longer (slow or silent clients are cut).
//! - At most [`Limits::max_connections`] connections are served at once; beyond, a new
//!   one gets `503` with `Retry-After` and is closed.
//! - At most [`Limits::max_in_flight`] requests are handled at once; beyond, `503` with
//!   `Retry-After`. A request may take [`Limits::request`] at most (`503` then).
//! - Expensive endpoints (offline packages and their zips, downloads, exports, tiles)
//!   take tokens from a per-client bucket: `429` with `Retry-After` when it is empty.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The bounds of a server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers, and to stay idle between two requests.
    pub header_read: Duration,
    /// Time to answer one request.
    pub request: Duration,
    pub max_connections: usize,
    pub max_in_flight: usize,
    /// Tokens a client gains per second on expensive endpoints, and holds at most.
    pub expensive_per_second: f64,
    pub expensive_burst: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(60),
            max_connections: 8_192,
            max_in_flight: 1_024,
            expensive_per_second: 4.0,
            expensive_burst: 120.0,
        }
    }
}

/// Seconds a refused client is asked to wait.
pub const RETRY_AFTER_S: u64 = 1;

/// A JSON error answer with `Retry-After`.
pub fn refusal(status: StatusCode, message: &str, retry_after_s: u64) -> Response {
    let mut response =
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
    response
}

/// What a client is, for rate limits: its address, or the one a trusted proxy names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The peer of a request, when the listener recorded it (tests that call the router
/// directly have none).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The client of a request: the peer, or with `behind_proxy` the last address of
/// `X-Forwarded-For` (the one the proxy itself appended).
pub fn client_of(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    behind_proxy: bool,
) -> Option<IpAddr> {
    if behind_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    peer.map(|p| p.ip())
}

/// Token buckets per client (an address, or a device's id), refilled at a rate,
/// bounded in size.
#[derive(Debug, Clone)]
pub struct RateLimiter<K = IpAddr> {
    rate: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<K, (f64, Instant)>>>,
}

/// Clients remembered at most; past that, the full ones (idle long enough) are forgotten.
const MAX_CLIENTS: usize = 100_000;

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    pub fn new(rate: f64, burst: f64) -> Self {
        Self {
            rate,
            burst: burst.max(1.0),
            buckets: Arc::default(),
        }
    }

    /// Takes `cost` tokens from `client`'s bucket; `Err(seconds to wait)` when short.
    pub fn take(&self, client: K, cost: f64) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_CLIENTS && !map.contains_key(&client) {
            let (rate, burst) = (self.rate, self.burst);
            map.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = map.entry(client).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= cost {
            *tokens -= cost;
            Ok(())
        } else {
            Err(((cost - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// The state of the expensive-endpoint limit: the buckets and how to tell clients.
#[derive(Debug, Clone)]
pub struct Expensive {
    pub limiter: RateLimiter,
    pub behind_proxy: bool,
}

/// Middleware of the expensive endpoints: a token per request, `429` beyond.
pub async fn expensive(State(limit): State<Expensive>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Some(client) = client_of(peer, request.headers(), limit.behind_proxy)
        && let Err(wait) = limit.limiter.take(client, 1.0)
    {
        return refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests for packages, downloads, exports or tiles: slow down",
            wait,
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_allow_a_burst_then_the_rate_per_client() {
        let limiter = RateLimiter::new(2.0, 3.0);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!((0..3).all(|_| limiter.take(a, 1.0).is_ok()));
        assert_eq!(limiter.take(a, 1.0), Err(1));
        assert!(
            limiter.take(b, 1.0).is_ok(),
            "another client has its own bucket"
        );
        std::thread::sleep(Duration::from_millis(600));
        assert!(limiter.take(a, 1.0).is_ok(), "refilled at its rate");
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_says() {
        let peer: SocketAddr = "192.0.2.7:5000".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        assert_eq!(client_of(Some(peer), &h, false), Some(peer.ip()));
        assert_eq!(
            client_of(Some(peer), &h, true),
            Some("198.51.100.4".parse().unwrap()),
            "the address the proxy appended"
        );
        assert_eq!(
            client_of(Some(peer), &HeaderMap::new(), true),
            Some(peer.ip())
        );
    }
}
