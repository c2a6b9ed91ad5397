//! The push channel (`GET /api/v1/push`, WebSocket): the walker's phone sends GPS fixes
//! while online; the server answers with what the walker reaches, by the same rules as
//! the phone applies offline (`balade_core::guidance`).
//!
//! - A fix is `{"lon": …, "lat": …, "accuracy": …}` (metres; `t`, seconds, optional).
//! - Without a circuit, the server sends each POI once per session when the walker is
//!   within its trigger radius: `{"type":"poi","id","name","kind","distance_m"}` (the
//!   name in the session's language: `?lang=` or `Accept-Language` of the upgrade), and
//!   each landscape unit once when the walker enters it: `{"type":"landscape","id","name"}`.
//! - After `{"circuit": "ID"}`, the session follows that circuit with the guidance state
//!   machine and forwards all its events (POIs, off route, back on route, landscapes),
//!   plus `{"type":"progress",…}` after each fix.
//! - Bounds: messages over [`PushLimits::max_message_bytes`] close the session, fixes
//!   faster than [`PushLimits::fixes_per_second`] are refused with an error message, a
//!   silent session closes after [`PushLimits::idle`], and at most
//!   [`PushLimits::max_sessions`] run at once (more get 503 before the upgrade).

use axum::extract::ws::{Message, WebSocket};
use balade_app::App;
use balade_app::guide::PushSession;
use balade_core::LonLat;
use balade_core::guidance::Fix;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bounds of push sessions.
#[derive(Debug, Clone, Copy)]
pub struct PushLimits {
    pub idle: Duration,
    pub max_message_bytes: usize,
    pub fixes_per_second: f64,
    pub max_sessions: usize,
}

impl Default for PushLimits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(120),
            max_message_bytes: 1024,
            fixes_per_second: 5.0,
            max_sessions: 20_000,
        }
    }
}

/// Session slots shared by every connection of this server.
#[derive(Debug, Clone)]
pub struct PushSlots {
    pub limits: PushLimits,
    slots: Arc<Semaphore>,
}

impl PushSlots {
    pub fn new(limits: PushLimits) -> Self {
        Self {
            limits,
            slots: Arc::new(Semaphore::new(limits.max_sessions)),
        }
    }
}

impl Default for PushSlots {
    fn default() -> Self {
        Self::new(PushLimits::default())
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ClientMessage {
    Fix {
        lon: f64,
        lat: f64,
        accuracy: f64,
        t: Option<f64>,
    },
    Follow {
        circuit: String,
    },
}

impl PushSlots {
    /// A slot for one more session, if any is left.
    pub fn take(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }
}

/// Refuses fixes beyond a rate: a token bucket refilled at `rate` per second, holding
/// up to two seconds' worth.
struct Bucket {
    rate: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            tokens: rate * 2.0,
            at: Instant::now(),
        }
    }
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate)
            .min(self.rate * 2.0);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn send(socket: &mut WebSocket, value: serde_json::Value) -> bool {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .is_ok()
}

/// Runs one session until the phone leaves, stays silent too long or breaks a bound.
pub async fn session(mut socket: WebSocket, app: Arc<App>, limits: PushLimits, lang: &'static str) {
    let mut state = PushSession::new(lang);
    let mut bucket = Bucket::new(limits.fixes_per_second);
    loop {
        let message = match tokio::time::timeout(limits.idle, socket.recv()).await {
            Err(_) => {
                let _ = send(
                    &mut socket,
                    json!({ "type": "error", "error": "idle session closed" }),
                )
                .await;
                break;
            }
            Ok(None) | Ok(Some(Err(_))) => break,
            Ok(Some(Ok(m))) => m,
        };
        let text = match message {
            Message::Text(t) => t,
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Binary(_) => {
                let _ = send(
                    &mut socket,
                    json!({ "type": "error", "error": "send JSON text" }),
                )
                .await;
                continue;
            }
        };
        // Every message costs a token: fixes, follows and garbage alike.
        if !bucket.take() {
            if !send(
                &mut socket,
                json!({ "type": "error", "error": "too many fixes: at most a few per second" }),
            )
            .await
            {
                return;
            }
            continue;
        }
        let replies = match serde_json::from_str::<ClientMessage>(&text) {
            Err(_) => vec![
                json!({ "type": "error", "error": "expected {\"lon\",\"lat\",\"accuracy\"} or {\"circuit\"}" }),
            ],
            Ok(ClientMessage::Follow { circuit }) => match state.follow(&app, &circuit).await {
                Ok(()) => vec![json!({ "type": "following", "circuit": circuit })],
                Err(e) => vec![json!({ "type": "error", "error": e.to_string() })],
            },
            Ok(ClientMessage::Fix {
                lon,
                lat,
                accuracy,
                t,
            }) => match LonLat::new(lon, lat) {
                Err(e) => vec![json!({ "type": "error", "error": e.to_string() })],
                Ok(pos) => {
                    let fix = Fix {
                        pos,
                        accuracy_m: accuracy,
                        t: t.unwrap_or(0.0),
                    };
                    state.fix(&app.catalog.current(), fix)
                }
            },
        };
        for reply in replies {
            if !send(&mut socket, reply).await {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let mut b = Bucket::new(5.0);
        let allowed = (0..30).filter(|_| b.take()).count();
        assert_eq!(allowed, 10, "two seconds' worth at once");
        b.at -= Duration::from_millis(400);
        assert!(b.take() && b.take() && !b.take(), "0.4 s later, two more");
    }

    #[test]
    fn client_messages() {
        assert!(matches!(
            serde_json::from_str(r#"{"lon":2.7,"lat":48.4,"accuracy":5}"#),
            Ok(ClientMessage::Fix { .. })
        ));
        assert!(matches!(
            serde_json::from_str(r#"{"circuit":"x"}"#),
            Ok(ClientMessage::Follow { .. })
        ));
        assert!(serde_json::from_str::<ClientMessage>(r#"{"lon":2.7}"#).is_err());
    }
}
