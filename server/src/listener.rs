//! The accept loop: HTTP/1.1 connections served by hyper with a header-read timeout
//! that also bounds the idle wait between requests, at most a set number of them at
//! once (a connection beyond gets `503` and is closed), each request told the peer's
//! address, and a graceful stop.

use crate::limits::Limits;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long a stopping server waits for connections to finish.
const DRAIN: Duration = Duration::from_secs(10);

/// What a connection over the cap is told before it is closed.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 55\r\n\r\n\
{\"error\":\"too many connections: try again in a moment\"}";

/// Serves `router` on `listener` until `stop` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Tells every connection to finish its request and close.
    let (stopping, stop_seen) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, mostly: let some connections end.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stop_seen = stop_seen.clone();
        // Finished connections leave the set as new ones come.
        while connections.try_join_next().is_some() {}
        connections.spawn(async move {
            tokio::pin!(connection);
            let stopped = async move {
                let _ = stop_seen.wait_for(|stop| *stop).await;
            };
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                () = stopped => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!("connections still open after the drain: closed");
        connections.abort_all();
    }
}

/// Tells a connection over the cap to come back, without waiting for its request;
/// then lingers a moment, reading what the client sends, so that closing with unread
/// bytes does not reset the connection before the client reads the answer.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(BUSY).await;
        let _ = stream.shutdown().await;
        let mut sink = [0u8; 4096];
        while let Ok(n) = tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_busy_answer_is_well_formed() {
        let text = std::str::from_utf8(super::BUSY).expect("ascii");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|n| n.parse().ok())
            .expect("length");
        assert_eq!(body.len(), length);
        assert!(serde_json::from_str::<serde_json::Value>(body).is_ok());
    }
}
