//! Staff accounts end to end: made on the command line, logged in over HTTP with a
//! session cookie only this site can use, sessions shared by every server of one
//! database, ended by a new password or a disabled account, failed logins throttled.

mod common;

use common::staff::{PASSWORD, add_user_with as add_user, balade_with_input};
use common::{Db, Server, stdout};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn accounts_on_the_command_line(db: &Db) {
    let out = add_user(db, "Admin@Seine-et-Marne.fr", "admin", "", PASSWORD);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("admin@seine-et-marne.fr"),
        "{}",
        stdout(&out)
    );
    let out = add_user(
        db,
        "editrice@provins.fr",
        "editor",
        "77379,200072130",
        PASSWORD,
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // Refusals say why, exit 2, and add nothing.
    for (email, role, territory, password, why) in [
        (
            "admin@seine-et-marne.fr",
            "moderator",
            "",
            PASSWORD,
            "already has the e-mail",
        ),
        ("edit@x.fr", "editor", "", PASSWORD, "territory"),
        (
            "edit@x.fr",
            "editor",
            "7737",
            PASSWORD,
            "`7737` is not a territory code",
        ),
        ("edit@x.fr", "moderator", "", "short", "too short"),
        (
            "not-an-address",
            "moderator",
            "",
            PASSWORD,
            "not an e-mail address",
        ),
    ] {
        let out = add_user(db, email, role, territory, password);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{email} {role}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(why), "{why}: {}", stderr(&out));
    }
    let out = add_user(db, "x@x.fr", "root", "", PASSWORD);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown role `root`"),
        "{}",
        stderr(&out)
    );

    let list = db.balade(&["user", "list"]);
    assert!(list.status.success());
    let lines: Vec<String> = stdout(&list).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "admin@seine-et-marne.fr\tadmin\t\tactive",
            "editrice@provins.fr\teditor\t200072130,77379\tactive"
        ]
    );
    let out = balade_with_input(
        db,
        &["user", "passwd", "nobody@x.fr", "--password-stdin"],
        "long enough password\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no account has the e-mail nobody@x.fr"),
        "{}",
        stderr(&out)
    );
    // Without a terminal and without --password-stdin, no password is invented.
    let out = balade_with_input(db, &["user", "add", "t@x.fr", "--role", "moderator"], "");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--password-stdin"),
        "{}",
        stderr(&out)
    );
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    async fn login(&self, email: &str, password: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut r = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .header(ORIGIN, &self.base)
            .json(&json!({ "email": email, "password": password }));
        if let Some(c) = cookie {
            r = r.header(COOKIE, c);
        }
        r.send().await.expect("login")
    }

    async fn me(&self, cookie: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(format!("{}/api/v1/auth/me", self.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("me");
        (r.status(), r.json().await.expect("json"))
    }
}

/// `balade_session=…` from a login's `Set-Cookie`, after checking its attributes.
fn session_cookie(r: &reqwest::Response) -> String {
    let set = r
        .headers()
        .get(SET_COOKIE)
        .expect("Set-Cookie")
        .to_str()
        .expect("text");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP, no proxy: {set}");
    set.split(';').next().expect("pair").to_owned()
}

async fn logins_and_sessions(db: &Db) {
    let a = Server::start(db, &[]);
    let b = Server::start(db, &[]);
    let (ca, cb) = (Client::new(&a.base), Client::new(&b.base));

    // Writes need this site's Origin.
    let url = format!("{}/api/v1/auth/login", a.base);
    let body = json!({ "email": "editrice@provins.fr", "password": PASSWORD });
    for origin in [None, Some("http://evil.example"), Some("null")] {
        let mut r = ca.http.post(&url).json(&body);
        if let Some(o) = origin {
            r = r.header(ORIGIN, o);
        }
        let r = r.send().await.expect("post");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin:?}");
        assert!(r.headers().get(SET_COOKIE).is_none());
    }

    // One answer for a wrong password and an unknown e-mail.
    let wrong = ca
        .login("editrice@provins.fr", "not the password", None)
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong: Value = wrong.json().await.expect("json");
    let unknown = ca.login("nobody@provins.fr", PASSWORD, None).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.json::<Value>().await.expect("json"), wrong);
    let r = ca
        .http
        .post(&url)
        .header(ORIGIN, &a.base)
        .body("{\"email\":1}")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // A session opened on one server is open on the other.
    let r = ca.login("Editrice@Provins.fr", PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let first = session_cookie(&r);
    let (status, me) = cb.me(&first).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        me,
        json!({ "email": "editrice@provins.fr", "role": "editor", "territory": ["200072130", "77379"] })
    );
    assert_eq!(
        ca.me("balade_session=0000").await.0,
        StatusCode::UNAUTHORIZED
    );

    // A new login renews the id: the cookie it came with is ended.
    let r = cb
        .login("editrice@provins.fr", PASSWORD, Some(&first))
        .await;
    let second = session_cookie(&r);
    assert_ne!(first, second);
    assert_eq!(ca.me(&first).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(ca.me(&second).await.0, StatusCode::OK);

    // Logging out ends the session everywhere.
    let r = ca
        .http
        .post(format!("{}/api/v1/auth/logout", a.base))
        .header(ORIGIN, &a.base)
        .header(COOKIE, &second)
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        r.headers()[SET_COOKIE]
            .to_str()
            .expect("value")
            .contains("Max-Age=0")
    );
    assert_eq!(cb.me(&second).await.0, StatusCode::UNAUTHORIZED);

    // A new password ends every session of the account.
    let third = session_cookie(&ca.login("editrice@provins.fr", PASSWORD, None).await);
    let out = balade_with_input(
        db,
        &["user", "passwd", "editrice@provins.fr", "--password-stdin"],
        "a brand new passphrase\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(cb.me(&third).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ca.login("editrice@provins.fr", PASSWORD, None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let fourth = session_cookie(
        &ca.login("editrice@provins.fr", "a brand new passphrase", None)
            .await,
    );

    // A disabled account is logged out and stays out.
    let out = db.balade(&["user", "disable", "editrice@provins.fr"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ca.me(&fourth).await.0, StatusCode::UNAUTHORIZED);
    let r = ca
        .login("editrice@provins.fr", "a brand new passphrase", None)
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let list = stdout(&db.balade(&["user", "list"]));
    assert!(
        list.contains("editrice@provins.fr\teditor\t200072130,77379\tdisabled"),
        "{list}"
    );
}

#[tokio::test]
async fn staff_accounts_and_sessions_on_sqlite() {
    let db = Db::new();
    accounts_on_the_command_line(&db);
    logins_and_sessions(&db).await;
}

#[tokio::test]
async fn staff_accounts_and_sessions_on_postgis() {
    let Some(db) = Db::postgres() else {
        return;
    };
    accounts_on_the_command_line(&db);
    logins_and_sessions(&db).await;
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_and_per_address() {
    let db = Db::new();
    assert!(
        add_user(&db, "garde@x.fr", "moderator", "", PASSWORD)
            .status
            .success()
    );
    let server = Server::start(&db, &["--behind-proxy"]);
    let c = Client::new(&server.base);
    let from = |address: &'static str, email: &'static str, password: &'static str| {
        let c = &c;
        async move {
            c.http
                .post(format!("{}/api/v1/auth/login", c.base))
                .header(ORIGIN, &c.base)
                .header("x-forwarded-for", address)
                .json(&json!({ "email": email, "password": password }))
                .send()
                .await
                .expect("login")
        }
    };
    // One account guessed from many addresses: after 5 failures, even the right
    // password waits.
    for n in 0..5 {
        let address = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"][n];
        assert_eq!(
            from(address, "garde@x.fr", "guess guess guess")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let r = from("10.0.0.6", "GARDE@x.fr", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .expect("value")
        .parse()
        .expect("seconds");
    assert!(wait > 0 && wait <= 15 * 60, "{wait}");

    // Many accounts guessed from one address: after 20 failures, that address waits.
    let emails: Vec<&'static str> = (0..20)
        .map(|n| &*Box::leak(format!("u{n}@x.fr").into_boxed_str()))
        .collect();
    for email in &emails {
        assert_eq!(
            from("10.9.9.9", email, "guess guess guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        from("10.9.9.9", "other@x.fr", "guess guess guess")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from("10.9.9.8", "other@x.fr", "guess guess guess")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn admins_manage_accounts_from_the_back_office() {
    use common::staff::{Staff, add_user as make};
    let db = Db::new();
    make(&db, "admin@x.fr", "admin", "");
    make(&db, "garde@x.fr", "moderator", "");
    let server = Server::start(&db, &[]);
    let base = &server.base;
    let admin = Staff::login(base, "admin@x.fr").await;
    let moderator = Staff::login(base, "garde@x.fr").await;

    // Only admins.
    assert_eq!(
        moderator.get("/api/v1/admin/users").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = moderator
        .post(
            "/api/v1/admin/users",
            json!({ "email": "e@x.fr", "role": "admin", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // An editor made over HTTP logs in; no hash is ever shown.
    let (status, made) = admin
        .post(
            "/api/v1/admin/users",
            json!({ "email": "Edit@X.fr", "role": "editor", "territory": ["77379"], "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        made,
        json!({ "email": "edit@x.fr", "role": "editor", "territory": ["77379"], "disabled": false })
    );
    for (bad, why) in [
        (
            json!({ "email": "f@x.fr", "role": "editor", "password": PASSWORD }),
            "territory",
        ),
        (
            json!({ "email": "f@x.fr", "role": "chief", "password": PASSWORD }),
            "unknown role",
        ),
        (
            json!({ "email": "f@x.fr", "role": "editor", "territory": ["7"], "password": PASSWORD }),
            "territory code",
        ),
        (
            json!({ "email": "f@x.fr", "role": "moderator", "password": "short" }),
            "too short",
        ),
        (
            json!({ "email": "edit@x.fr", "role": "moderator", "password": PASSWORD }),
            "already has",
        ),
    ] {
        let (status, body) = admin.post("/api/v1/admin/users", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(
            body["error"].as_str().expect("text").contains(why),
            "{why}: {body}"
        );
    }
    let editor = Staff::login(base, "edit@x.fr").await;
    let (_, _, list) = admin.get("/api/v1/admin/users").await;
    assert_eq!(list["users"].as_array().expect("users").len(), 3);
    assert!(!list.to_string().contains("argon2"), "{list}");

    // Disabled over HTTP: the editor's session ends; an admin cannot lock themselves out.
    let r = admin
        .http
        .post(format!("{base}/api/v1/admin/users/edit@x.fr/disable"))
        .header(COOKIE, &admin.cookie)
        .header(ORIGIN, base)
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        editor.get("/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let r = admin
        .http
        .post(format!("{base}/api/v1/admin/users/admin@x.fr/disable"))
        .header(COOKIE, &admin.cookie)
        .header(ORIGIN, base)
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = admin
        .http
        .post(format!("{base}/api/v1/admin/users/nobody@x.fr/disable"))
        .header(COOKIE, &admin.cookie)
        .header(ORIGIN, base)
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
