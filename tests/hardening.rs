//! The public server under abuse, over real TCP: silent and slow clients are cut, the
//! connection cap answers 503 and `/healthz` keeps answering, expensive endpoints are
//! rate-limited, every answer carries the security headers; and the binary carries its
//! web app and demo data wherever it is copied.

mod common;

use common::{Db, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn addr(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection or `limit` passes; returns what came
/// and whether it closed.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), true),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), false)
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    // A refused connection may be answered and closed before the request is written.
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    );
    read_until_closed(&mut s, Duration::from_secs(20)).0
}

#[test]
fn silent_and_slow_clients_are_cut_and_healthz_answers_meanwhile() {
    let db = Db::new();
    let server = Server::start(&db, &["--demo", "--header-timeout", "1"]);
    let addr = addr(&server);
    // Hundreds of connections that never say anything, and one that sends half a line.
    let mut silent: Vec<TcpStream> = (0..500)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    let mut slow = TcpStream::connect(&addr).expect("connect");
    slow.write_all(b"GET /healthz HT").expect("write");
    // The server still answers others at once.
    let answer = get(&addr, "/healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Then cuts the silent and the slow ones.
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5));
    assert!(closed, "a client slow to send its headers is cut");
    let (_, closed) = read_until_closed(&mut silent[0], Duration::from_secs(5));
    assert!(closed, "a silent client is cut");
    // A kept-alive connection left idle after its answer is cut too.
    let mut idle = TcpStream::connect(&addr).expect("connect");
    write!(idle, "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").expect("write");
    let (text, closed) = read_until_closed(&mut idle, Duration::from_secs(5));
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(closed, "an idle kept-alive connection is cut");
}

#[test]
fn beyond_the_connection_cap_a_connection_gets_503_and_healthz_comes_back() {
    let db = Db::new();
    let server = Server::start(
        &db,
        &["--demo", "--max-connections", "4", "--header-timeout", "2"],
    );
    let addr = addr(&server);
    let held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let answer = get(&addr, "/healthz");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    assert!(answer.contains("too many connections"), "{answer}");
    // Once the silent ones are cut, the server answers again.
    std::thread::sleep(Duration::from_secs(3));
    let answer = get(&addr, "/healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(held);
}

#[tokio::test]
async fn expensive_endpoints_are_rate_limited_per_client() {
    let db = Db::new();
    let server = Server::start(&db, &["--demo"]);
    let client = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/circuits/provins-remparts/download?format=geojson",
        server.base
    );
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let r = client.get(&url).send().await.expect("request");
        let retry = r.headers().get("retry-after").cloned();
        statuses.push((r.status().as_u16(), retry));
        if r.status() == 429 {
            break;
        }
    }
    let ok = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert!(ok >= 100, "a burst is allowed: {ok}");
    let (last, retry) = statuses.last().expect("answers");
    assert_eq!(*last, 429, "then refused");
    assert!(retry.is_some(), "with Retry-After");
    // Cheap endpoints are not limited with them.
    let list = client
        .get(format!("{}/api/v1/circuits", server.base))
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), 200);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let db = Db::new();
    let server = Server::start(&db, &["--demo"]);
    for path in [
        "/",
        "/api/v1/circuits",
        "/api/v1/circuits/nowhere",
        "/healthz",
    ] {
        let r = reqwest::get(format!("{}{path}", server.base))
            .await
            .expect("get");
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().expect("ascii");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    let r = reqwest::get(format!(
        "{}/api/v1/circuits?theme={}",
        server.base,
        vec!["eau"; 25].join(",")
    ))
    .await
    .expect("get");
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["error"].as_str().expect("error").contains("`theme`"),
        "{body}"
    );
}

#[tokio::test]
async fn the_binary_alone_serves_its_web_app_and_its_demo() {
    let dir = tempfile::tempdir().expect("dir");
    let alone = dir.path().join("balade");
    std::fs::copy(env!("CARGO_BIN_EXE_balade"), &alone).expect("copy the binary");
    let mut child = Command::new(&alone)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("BALADE_PWA_DIR")
        .env_remove("BALADE_FIXTURES")
        .env_remove("BALADE_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let base = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("listening on ") {
                    break url.trim().to_owned();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("the copied binary did not start");
            }
        }
    };
    let page = reqwest::get(format!("{base}/")).await.expect("page");
    assert_eq!(page.status(), 200);
    // Served from inside the binary (a content hash as its ETag), not from a folder
    // found on this machine (which would give a modification date).
    assert!(page.headers().contains_key("etag"));
    assert!(!page.headers().contains_key("last-modified"));
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    let html = page.text().await.expect("html");
    assert!(
        html.contains("<title>Balade</title>") && html.contains("/assets/"),
        "{html}"
    );
    let script = html
        .split("src=\"./")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a script");
    let js = reqwest::get(format!("{base}/{script}"))
        .await
        .expect("script");
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    let list: serde_json::Value = reqwest::get(format!("{base}/api/v1/circuits"))
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["total"], 7, "the demo circuits");
    assert!(
        dir.path().join("balade.db").is_file(),
        "its database beside it"
    );
    let _ = child.kill();
    let _ = child.wait();
}
