//! The push channel over real TCP with a real WebSocket client: POIs reached once per
//! session, vague fixes ignored, a followed circuit's events in walking order, and every
//! bound (message size, rate, idle time, session count) enforced.

use balade_app::{App, Settings};
use balade_core::store::{self, Store};
use balade_import::import_demo;
use balade_server::app;
use balade_server::push::{PushLimits, PushSlots};
use balade_server::state::AppState;
use balade_server::web_app::WebApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Server {
    addr: SocketAddr,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn server(limits: PushLimits) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("push.db").display());
    let store: Arc<dyn Store> = store::open(&url).await.expect("open");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let report = import_demo(store.as_ref(), &fixtures).await.expect("demo");
    assert_eq!(report.rejected(), 0, "{:?}", report.rejections);
    let services = App::load(store.clone(), Settings::default())
        .await
        .expect("catalogue");
    let mut state = AppState::new(Arc::new(services));
    state.push = PushSlots::new(limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app(state, WebApp::None)).await });
    Server {
        addr,
        store,
        _dir: dir,
    }
}

fn open_limits() -> PushLimits {
    PushLimits {
        fixes_per_second: 10_000.0,
        ..PushLimits::default()
    }
}

async fn connect(addr: SocketAddr) -> Ws {
    connect_to(addr, "").await
}

/// A session opened with `query` (`?lang=en`, or empty).
async fn connect_to(addr: SocketAddr, query: &str) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/push{query}"))
        .await
        .expect("connect")
        .0
}

async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message, or `None` when the server closed the session.
async fn next(ws: &mut Ws) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an answer within 10 s")
        {
            Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(&t).expect("JSON")),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            _ => return None,
        }
    }
}

/// Everything the server says in answer to `values`, up to the reply to a marker
/// message sent after them (the server answers messages in order).
async fn exchange(ws: &mut Ws, values: &[Value]) -> Vec<Value> {
    for v in values {
        send(ws, v.clone()).await;
    }
    send(ws, json!({ "marker": true })).await;
    let mut out = Vec::new();
    loop {
        let m = next(ws).await.expect("session open");
        if m["type"] == "error"
            && m["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("expected"))
        {
            return out;
        }
        out.push(m);
    }
}

fn poi_ids(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["type"] == "poi")
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_poi_reached_once_and_vague_fixes_ignored() {
    let s = server(open_limits()).await;
    let target = s
        .store
        .poi_points()
        .await
        .expect("points")
        .into_iter()
        .find(|p| p.id.as_str() == "provins-remparts.tour-cesar")
        .expect("demo POI");
    let at = json!({ "lon": target.pos.lon(), "lat": target.pos.lat(), "accuracy": 5.0 });
    let vague = json!({ "lon": target.pos.lon(), "lat": target.pos.lat(), "accuracy": 120.0 });

    let mut ws = connect(s.addr).await;
    assert!(
        poi_ids(&exchange(&mut ws, std::slice::from_ref(&vague)).await).is_empty(),
        "a 120 m fix triggers nothing"
    );
    let first = exchange(&mut ws, std::slice::from_ref(&at)).await;
    let units: Vec<&Value> = first.iter().filter(|m| m["type"] == "landscape").collect();
    assert_eq!(units.len(), 1, "{first:?}");
    assert_eq!(units[0]["id"], "provinois");
    let ids = poi_ids(&first);
    assert!(ids.contains(&target.id.to_string()), "{first:?}");
    let hit = first
        .iter()
        .find(|m| m["id"] == target.id.as_str())
        .expect("the POI");
    assert_eq!(hit["distance_m"], 0.0);
    assert_eq!(hit["kind"], "heritage");
    let again = exchange(&mut ws, &[at.clone(), at.clone()]).await;
    assert!(
        again.is_empty(),
        "POIs and units once per session: {again:?}"
    );

    // A new session starts afresh.
    let mut other = connect(s.addr).await;
    assert!(poi_ids(&exchange(&mut other, &[at]).await).contains(&target.id.to_string()));

    // Bad coordinates get a precise error, and the session goes on.
    let bad = exchange(
        &mut other,
        &[json!({ "lon": 2.9, "lat": 123.0, "accuracy": 5.0 })],
    )
    .await;
    assert!(
        bad[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("latitude 123")),
        "{bad:?}"
    );
}

#[tokio::test]
async fn names_come_in_the_session_language() {
    let s = server(open_limits()).await;
    // A demo place with a name in English.
    let target = s
        .store
        .poi_points()
        .await
        .expect("points")
        .into_iter()
        .find(|p| {
            p.names
                .iter()
                .any(|(l, n)| l == "en" && n.contains("car park"))
        })
        .expect("a demo place named in English");
    let at = json!({ "lon": target.pos.lon(), "lat": target.pos.lat(), "accuracy": 5.0 });
    let name_of = |messages: Vec<Value>| {
        messages
            .into_iter()
            .find(|m| m["id"] == target.id.as_str())
            .map(|m| m["name"].clone())
    };
    let mut en = connect_to(s.addr, "?lang=en").await;
    let english = name_of(exchange(&mut en, std::slice::from_ref(&at)).await);
    assert_eq!(english, Some(json!(target.name_in("en"))));
    let mut fr = connect(s.addr).await;
    let french = name_of(exchange(&mut fr, std::slice::from_ref(&at)).await);
    assert_eq!(french, Some(json!(target.name)));
    assert_ne!(english, french);
    // An unknown language is refused before the upgrade.
    let refused =
        tokio_tungstenite::connect_async(format!("ws://{}/api/v1/push?lang=xx", s.addr)).await;
    assert!(
        matches!(&refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 400),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_followed_circuit_gives_pois_in_walking_order_and_progress() {
    let s = server(open_limits()).await;
    let id = balade_core::CircuitId::new("provins-remparts").expect("id");
    let circuit = s
        .store
        .circuit(&id)
        .await
        .expect("read")
        .expect("demo circuit");
    let mut ws = connect(s.addr).await;
    let hello = exchange(&mut ws, &[json!({ "circuit": "provins-remparts" })]).await;
    assert_eq!(
        hello,
        [json!({ "type": "following", "circuit": "provins-remparts" })]
    );

    let fixes: Vec<Value> = circuit
        .trace
        .points()
        .step_by(3)
        .map(|p| json!({ "lon": p.pos.lon(), "lat": p.pos.lat(), "accuracy": 5.0 }))
        .collect();
    let messages = exchange(&mut ws, &fixes).await;
    let progress: Vec<f64> = messages
        .iter()
        .filter(|m| m["type"] == "progress")
        .filter_map(|m| m["done_m"].as_f64())
        .collect();
    assert_eq!(progress.len(), fixes.len(), "one progress per fix");
    assert!(
        progress.windows(2).all(|w| w[1] >= w[0]),
        "progress never goes back on a plain walk"
    );
    assert!(
        progress
            .last()
            .is_some_and(|&d| d > circuit.stats.length_m * 0.95),
        "{progress:?}"
    );
    assert!(
        messages.iter().all(|m| m["type"] != "off_route"),
        "walking the trace raises no alert"
    );

    // The circuit's own POIs, in the order of the sheet, each once.
    let fired = poi_ids(&messages);
    let mut unique = fired.clone();
    unique.dedup();
    assert_eq!(fired, unique);
    let own: Vec<String> = s
        .store
        .circuit_pois(&id)
        .await
        .expect("pois")
        .into_iter()
        .map(|p| p.id.to_string())
        .collect();
    let fired_own: Vec<&String> = fired.iter().filter(|f| own.contains(f)).collect();
    assert_eq!(
        fired_own.len(),
        own.len(),
        "every POI of the circuit is reached: {fired:?}"
    );

    // A detour 100 m east for a while raises one alert; coming back clears it.
    let p = circuit.trace.points().nth(60).expect("a point").pos;
    let east = 100.0 / (111_320.0 * p.lat().to_radians().cos());
    let detour: Vec<Value> = (0..5)
        .map(|_| json!({ "lon": p.lon() + east, "lat": p.lat(), "accuracy": 5.0 }))
        .collect();
    let away = exchange(&mut ws, &detour).await;
    assert_eq!(
        away.iter().filter(|m| m["type"] == "off_route").count(),
        1,
        "{away:?}"
    );
    let back = exchange(
        &mut ws,
        &[json!({ "lon": p.lon(), "lat": p.lat(), "accuracy": 5.0 })],
    )
    .await;
    assert_eq!(
        back.iter().filter(|m| m["type"] == "back_on_route").count(),
        1,
        "{back:?}"
    );
}

#[tokio::test]
async fn bounds_are_enforced() {
    let limits = PushLimits {
        idle: Duration::from_secs(1),
        max_message_bytes: 512,
        fixes_per_second: 0.5,
        max_sessions: 2,
    };
    let s = server(limits).await;

    // Rate: every message costs a token, at 0.5 a second: one allowed at once (two
    // seconds' worth), then one more per two seconds the burst takes; the rest refused.
    // Unparsable messages are used because each gets exactly one answer.
    let mut ws = connect(s.addr).await;
    let started = std::time::Instant::now();
    for _ in 0..10 {
        send(&mut ws, json!({ "hello": true })).await;
    }
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.push(next(&mut ws).await.expect("an answer to each message"));
    }
    let refill = (started.elapsed().as_secs_f64() * 0.5).ceil() as usize;
    let refused = answers
        .iter()
        .filter(|m| {
            m["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("too many"))
        })
        .count();
    assert!(
        refused >= 9 - refill.min(9) && refused <= 9,
        "{refused} refused: {answers:?}"
    );

    // Sessions: two at once at most; the third is refused before the upgrade.
    let second = connect(s.addr).await;
    let third = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/push", s.addr)).await;
    match third {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 503),
        other => panic!("expected a 503, got {:?}", other.map(|_| "a session")),
    }
    drop(second);

    // Size: a message over the limit ends the session.
    send(
        &mut ws,
        json!({ "lon": 2.9, "lat": 48.6, "accuracy": 5.0, "pad": "x".repeat(1_000) }),
    )
    .await;
    assert!(next(&mut ws).await.is_none(), "the session is closed");

    // Idle: a silent session is told and closed. A slot freed above lets it in.
    let mut idle = None;
    for _ in 0..100 {
        if let Ok((ws, _)) =
            tokio_tungstenite::connect_async(format!("ws://{}/api/v1/push", s.addr)).await
        {
            idle = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut idle = idle.expect("a slot frees when a session ends");
    let last = next(&mut idle).await.expect("a farewell");
    assert_eq!(last["error"], "idle session closed");
    assert!(next(&mut idle).await.is_none());
}
