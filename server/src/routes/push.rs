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

use crate::error::ApiError;
use crate::lang;
use crate::query::Params;
use crate::routes::circuits::load;
use crate::routes::offline::OFFLINE_CORRIDOR_M;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use balade_core::LonLat;
use balade_core::guidance::{
    Fix, Guide, GuideConfig, GuideEvent, GuidePoi, Landscape as GuideLandscape,
    default_trigger_radius_m,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

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

/// Largest default trigger radius: how far to look around a fix.
const MAX_TRIGGER_M: f64 = 150.0;

#[utoipa::path(get, path = "/api/v1/push", tag = "push",
    responses((status = 101, description = "WebSocket: send fixes, receive POIs reached"),
              (status = 503, body = crate::error::ErrorBody, description = "Too many sessions")))]
pub async fn push(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref())?;
    p.only(&["lang"])?;
    let lang = lang::pick(p.text("lang"), &headers)?;
    let permit = state
        .push
        .slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Busy)?;
    let limits = state.push.limits;
    Ok(ws
        .max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        .on_upgrade(move |socket| async move {
            session(socket, state, limits, lang).await;
            drop(permit);
        }))
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

async fn session(mut socket: WebSocket, state: AppState, limits: PushLimits, lang: &str) {
    let mut sent: HashSet<String> = HashSet::new();
    let mut entered: HashSet<String> = HashSet::new();
    let mut guide: Option<Guide> = None;
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
            Ok(ClientMessage::Follow { circuit }) => match follow(&state, &circuit).await {
                Ok(g) => {
                    guide = Some(g);
                    vec![json!({ "type": "following", "circuit": circuit })]
                }
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
                    match guide.as_mut() {
                        Some(g) => guided(g, fix),
                        None => reached(&state, fix, lang, &mut sent, &mut entered),
                    }
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

/// POIs newly within their trigger radius of `fix`, nearest first, then landscape units
/// entered for the first time.
fn reached(
    state: &AppState,
    fix: Fix,
    lang: &str,
    sent: &mut HashSet<String>,
    entered: &mut HashSet<String>,
) -> Vec<serde_json::Value> {
    // The same accuracy rule as guidance: a vague fix triggers nothing.
    if fix.accuracy_m.is_nan() || fix.accuracy_m > GuideConfig::default().max_accuracy_m {
        return Vec::new();
    }
    let catalog = state.catalog.current();
    let mut out: Vec<serde_json::Value> = catalog
        .index
        .nearby_pois(fix.pos, MAX_TRIGGER_M, 64, &[])
        .into_iter()
        .filter(|h| h.distance_m <= default_trigger_radius_m(h.item.kind))
        .filter(|h| sent.insert(h.item.id.to_string()))
        .map(|h| {
            json!({ "type": "poi", "id": h.item.id.as_str(), "name": h.item.name_in(lang), "kind": h.item.kind.as_str(),
                    "distance_m": (h.distance_m * 10.0).round() / 10.0 })
        })
        .collect();
    out.extend(
        catalog
            .landscapes_at(fix.pos)
            .filter(|l| entered.insert(l.id.to_string()))
            .map(|l| json!({ "type": "landscape", "id": l.id.as_str(), "name": l.name })),
    );
    out
}

fn guided(guide: &mut Guide, fix: Fix) -> Vec<serde_json::Value> {
    let mut out: Vec<serde_json::Value> = guide
        .update(fix)
        .iter()
        .map(|e: &GuideEvent| serde_json::to_value(e).unwrap_or_default())
        .collect();
    if let Some(p) = guide.progress() {
        out.push(json!({ "type": "progress", "done_m": p.done_m.round(), "remaining_m": p.remaining_m.round(),
                         "offset_m": (p.offset_m * 10.0).round() / 10.0 }));
    }
    out
}

async fn follow(state: &AppState, id: &str) -> Result<Guide, ApiError> {
    let circuit = load(state.store.as_ref(), id).await?;
    let catalog = state.catalog.current();
    let pois = catalog
        .index
        .pois_along(&circuit.trace, OFFLINE_CORRIDOR_M)
        .into_iter()
        .map(|h| GuidePoi {
            id: h.item.id.to_string(),
            kind: h.item.kind,
            pos: h.item.pos,
            trigger_radius_m: None,
        })
        .collect();
    // One entry per outer ring: the rules announce a unit once whatever its rings.
    let landscapes = catalog
        .landscapes_crossed(&circuit.trace)
        .into_iter()
        .flat_map(|l| {
            l.polygons
                .iter()
                .filter_map(|rings| rings.first())
                .map(|outer| GuideLandscape {
                    id: l.id.to_string(),
                    name: l.name.clone(),
                    ring: outer.clone(),
                })
        })
        .collect();
    Ok(Guide::new(
        &circuit.trace,
        pois,
        landscapes,
        GuideConfig::default(),
    ))
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
