//! PostGIS end to end, with the real binary: several servers on one database, moving an
//! embedded installation over, and a database that goes away and comes back.

mod common;

use common::{Db, Server, eventually, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

async fn get(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.expect("request");
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn write_circuit(dir: &Path, name: &str, lon: f64) -> PathBuf {
    let path = dir.join(format!("{name}.gpx"));
    let text = format!(
        r#"<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="48.60" lon="{lon}"><name>Point</name><type>viewpoint</type></wpt>
<trk><name>{name}</name><trkseg><trkpt lat="48.60" lon="{lon}"/><trkpt lat="48.61" lon="{lon}"/></trkseg></trk></gpx>"#
    );
    std::fs::write(&path, text).expect("write");
    path
}

#[tokio::test]
async fn two_servers_on_one_database_see_each_change() {
    let Some(db) = Db::postgres() else { return };
    let a = Server::start(&db, &["--demo"]);
    let b = Server::start(&db, &[]);
    let total = |server: &Server| {
        let url = format!("{}/api/v1/circuits", server.base);
        async move { get(&url).await.1["total"].as_u64() }
    };
    let before = total(&a).await.expect("total");
    assert!(before >= 6);
    // B started after A loaded the demo; both agree.
    assert!(
        eventually(Duration::from_secs(10), || async {
            total(&b).await == Some(before)
        })
        .await
    );

    // An import by a third process: both servers' indexes follow.
    let file = write_circuit(db.dir.path(), "troisieme", 2.95);
    let out = db.import(&[&file], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    let imported = Instant::now();
    for server in [&a, &b] {
        let seen = eventually(Duration::from_secs(10), || async {
            total(server).await == Some(before + 1)
        })
        .await;
        assert!(seen, "{} never saw the import", server.base);
    }
    // Informative: with LISTEN/NOTIFY this is well under a second (see the closing note).
    eprintln!(
        "both servers updated {} ms after the import ended",
        imported.elapsed().as_millis()
    );
    let (_, near) = get(&format!(
        "{}/api/v1/pois/nearby?lon=2.95&lat=48.60&radius=50",
        b.base
    ))
    .await;
    assert_eq!(near["features"][0]["id"], "troisieme.point");
}

#[tokio::test]
async fn an_embedded_installation_moves_to_postgis_with_nothing_lost() {
    let Some(pg) = Db::postgres() else { return };
    let lite = Db::new();
    let fixtures = common::root().join("fixtures/circuits");
    assert!(lite.import(&[&fixtures], &[]).status.success());

    let out = lite.balade(&["db", "copy", "--from", &lite.url, "--to", &pg.url]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("copy verified"), "{text}");
    let sums: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split("checksum ").nth(1))
        .collect();
    assert_eq!(sums.len(), 2);
    assert_eq!(sums[0], sums[1]);
    assert_eq!(pg.counts(), lite.counts());

    // Every importer writes the same into both databases.
    let heritage =
        common::shared_data("heritage/pop-betagouv/GERTRUDE_xmlToMERIMEE_lexicovide.txt");
    let species = common::root().join("fixtures/biodiversity/observations.csv");
    let list = common::root().join("fixtures/biodiversity/sensitive-taxa.csv");
    let tourism = common::shared_data("trails/geotrek-admin/tourism/apidaeContent.json");
    for db in [&lite, &pg] {
        for args in [
            vec!["import", "ariane", heritage.to_str().expect("utf-8")],
            vec![
                "import",
                "biodiversity",
                "--sensitive",
                list.to_str().expect("utf-8"),
                species.to_str().expect("utf-8"),
            ],
            vec!["import", "tourism", tourism.to_str().expect("utf-8")],
        ] {
            let out = db.balade(&args);
            assert!(out.status.success(), "{args:?}: {}", stdout(&out));
        }
    }

    // The same API answers from both databases.
    let s1 = Server::start(&lite, &[]);
    let s2 = Server::start(&pg, &[]);
    for path in [
        "/api/v1/circuits",
        "/api/v1/circuits/grand-morin-guerard-coulommiers",
        "/api/v1/pois/nearby?lon=3.29&lat=48.56&radius=3000",
        "/api/v1/pois/IA30001143",
        "/api/v1/pois/IA30001137",
        "/api/v1/pois/apidae:479743",
        "/api/v1/species?near=2.65,48.42&radius=5000",
        "/api/v1/circuits/provins-remparts/species",
    ] {
        let (x, y) = (
            get(&format!("{}{path}", s1.base)).await,
            get(&format!("{}{path}", s2.base)).await,
        );
        assert_eq!(x, y, "{path}");
    }
    // Migrations are idempotent, and explicit.
    let out = pg.balade(&["db", "migrate"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("postgres database"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("***") || !pg.url.contains('@'),
        "no password printed"
    );
}

/// A PostgreSQL server of this test's own, so that stopping it disturbs no other test.
struct OwnCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnCluster {
    fn new() -> Option<Self> {
        let bin = PathBuf::from(std::env::var_os("BALADE_TEST_PG_BIN")?);
        let dir = tempfile::Builder::new()
            .prefix("balade-own-pg")
            .tempdir()
            .expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let cluster = Self { bin, dir, port };
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres"])
                .arg(cluster.dir.path()));
        }
        let data = cluster.data();
        cluster.pg(
            "initdb",
            &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        );
        cluster.start();
        Some(cluster)
    }
    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
    /// A PostgreSQL program, run as `postgres` when we are root (it refuses root).
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }
    fn pg(&self, program: &str, args: &[&str]) {
        run(self.command(program).args(args));
    }
    fn start(&self) {
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.pg(
            "pg_ctl",
            &["-D", &self.data(), "-l", &log, "-w", "-o", &opts, "start"],
        );
    }
    fn stop(&self) {
        self.pg("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_server_degrades_while_the_database_is_down_and_recovers() {
    if common::block_on(async { balade_core::store::testing::postgres_admin_url() }).is_none() {
        return;
    }
    let cluster = OwnCluster::new().expect("BALADE_TEST_PG_BIN is set with BALADE_TEST_POSTGRES");
    let db = Db {
        dir: tempfile::tempdir().expect("temp dir"),
        url: cluster.url(),
    };
    let server = Server::start(&db, &["--demo"]);
    let base = server.base.clone();
    let sheet = format!("{base}/api/v1/circuits/provins-remparts");
    assert_eq!(get(&format!("{base}/healthz")).await.0, 200);
    assert_eq!(get(&sheet).await.0, 200);

    cluster.stop();
    let (status, body) = get(&format!("{base}/healthz")).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("unavailable")),
        "{body}"
    );
    let (status, body) = get(&sheet).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        !body
            .to_string()
            .to_lowercase()
            .contains("connection refused"),
        "no internals: {body}"
    );
    // What the server holds in memory keeps answering.
    assert_eq!(get(&format!("{base}/api/v1/circuits")).await.0, 200);

    cluster.start();
    let back = eventually(Duration::from_secs(30), || async {
        get(&format!("{base}/healthz")).await.0 == 200 && get(&sheet).await.0 == 200
    })
    .await;
    assert!(back, "the server did not recover without a restart");
}
