//! Helpers for the end-to-end tests: the real `balade` binary on a real database file.
#![allow(dead_code)]

pub mod staff;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared third-party test data, beside the checkout.
pub fn shared_data(sub: &str) -> PathBuf {
    let p = root().join("../shared/data").join(sub);
    assert!(
        p.exists(),
        "test data missing: {} (the shared/ folder must sit beside the checkout)",
        p.display()
    );
    p
}

pub struct Db {
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl Db {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("balade.db").display());
        Self { dir, url }
    }

    /// A new database on the PostgreSQL test server, or `None` when there is none.
    pub fn postgres() -> Option<Self> {
        let admin = balade_core::store::testing::postgres_admin_url()?;
        let url = block_on(balade_core::store::testing::fresh_postgres_database(&admin))
            .expect("database");
        Some(Self {
            dir: tempfile::tempdir().expect("temp dir"),
            url,
        })
    }

    pub fn balade(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_balade"))
            .args(args)
            .env("BALADE_DB", &self.url)
            .current_dir(root())
            .output()
            .expect("run balade")
    }

    pub fn import(&self, paths: &[&Path], extra: &[&str]) -> Output {
        let mut args: Vec<&str> = vec!["import", "gpx"];
        args.extend(extra);
        args.extend(paths.iter().map(|p| p.to_str().expect("utf-8 path")));
        self.balade(&args)
    }

    /// Row counts read straight from the database with the store, not through the binary.
    pub fn counts(&self) -> (u64, u64) {
        block_on(async {
            let store = balade_core::store::open(&self.url).await.expect("open");
            let c = store.counts().await.expect("counts");
            (c.circuits, c.pois)
        })
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs a future to completion on a runtime of its own, on a thread of its own, so that
/// sync and async tests alike can call it.
pub fn block_on<F: std::future::Future + Send>(future: F) -> F::Output
where
    F::Output: Send,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(future)
        })
        .join()
        .expect("helper thread")
    })
}

/// `imported N, updated M, rejected K` from the last line.
pub fn summary(o: &Output) -> (u64, u64, u64) {
    let text = stdout(o);
    let last = text.lines().last().unwrap_or_default().to_owned();
    let nums: Vec<u64> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("number"))
        .collect();
    assert!(
        last.starts_with("imported ") && nums.len() == 3,
        "no summary line in:\n{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (nums[0], nums[1], nums[2])
}

/// A running `balade serve`, killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(db: &Db, extra: &[&str]) -> Self {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_balade"))
            .args(&args)
            .env("BALADE_DB", &db.url)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn balade serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    panic!("balade serve ended before listening: {:?}", child.wait());
                }
            }
        };
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it is true or `limit` passes; returns whether it became true.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
