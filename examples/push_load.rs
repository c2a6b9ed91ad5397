//! Load on the push channel, bounded and on loopback only: SESSIONS WebSocket sessions at
//! once, each following a demo circuit and sending one fix a second along it for
//! SECONDS seconds; reports sessions held, fixes answered, and the reply latency.
//! `cargo run --release --example push_load -- ws://127.0.0.1:PORT/api/v1/push 1000 20`

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: push_load WS_URL [SESSIONS] [SECONDS]")?;
    if !url.starts_with("ws://127.")
        && !url.starts_with("ws://localhost")
        && !url.starts_with("ws://[::1]")
    {
        return Err("loopback addresses only".into());
    }
    let sessions: usize = args.next().map_or(Ok(1000), |s| s.parse())?;
    let seconds: u64 = args.next().map_or(Ok(20), |s| s.parse())?;
    let http = url.replace("ws://", "http://").replace("/api/v1/push", "");
    let guide: Value = reqwest::get(format!("{http}/api/v1/circuits/provins-remparts/guide"))
        .await?
        .json()
        .await?;
    let trace: Vec<(f64, f64)> = guide["segments"][0]
        .as_array()
        .ok_or("no trace")?
        .iter()
        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
        .collect();

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(sessions);
    for s in 0..sessions {
        let (url, trace) = (url.clone(), trace.clone());
        tasks.push(tokio::spawn(
            async move { walk(&url, &trace, s, seconds).await },
        ));
        // Spread the connections over the first second.
        tokio::time::sleep(Duration::from_micros(1_000_000 / sessions.max(1) as u64)).await;
    }
    let mut latencies = Vec::new();
    let (mut held, mut failed, mut events) = (0, 0, 0);
    for t in tasks {
        match t.await? {
            Ok((l, e)) => {
                held += 1;
                events += e;
                latencies.extend(l);
            }
            Err(e) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("session failed: {e}");
                }
            }
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{held} sessions held, {failed} failed, {} fixes answered, {events} POI and route events, in {:.1} s",
        latencies.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "reply latency: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or_default()
    );
    Ok(())
}

/// One walker: follows the circuit, sends a fix a second from its own starting point,
/// waits for the progress reply to each. Returns reply latencies and events seen.
async fn walk(
    url: &str,
    trace: &[(f64, f64)],
    n: usize,
    seconds: u64,
) -> Result<(Vec<Duration>, usize), String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| e.to_string())?;
    ws.send(Message::Text(
        json!({ "circuit": "provins-remparts" }).to_string().into(),
    ))
    .await
    .map_err(|e| e.to_string())?;
    let mut latencies = Vec::new();
    let mut events = 0;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for step in 0..seconds as usize {
        tick.tick().await;
        let (lon, lat) = trace[(n * 7 + step * 3) % trace.len()];
        let sent = Instant::now();
        let fix = json!({ "lon": lon, "lat": lat, "accuracy": 5.0 });
        ws.send(Message::Text(fix.to_string().into()))
            .await
            .map_err(|e| e.to_string())?;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .map_err(|_| "no reply in 10 s")?;
            let Some(Ok(Message::Text(text))) = message else {
                return Err("closed".into());
            };
            let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            match value["type"].as_str() {
                Some("progress") => {
                    latencies.push(sent.elapsed());
                    break;
                }
                Some("error") => return Err(format!("server: {}", value["error"])),
                Some("following") => {}
                _ => events += 1,
            }
        }
    }
    let _ = ws.close(None).await;
    Ok((latencies, events))
}
