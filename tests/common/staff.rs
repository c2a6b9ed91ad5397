//! Staff for the back-office's tests: accounts made with the binary, and an HTTP client
//! logged in with its session cookie, sending this site's `Origin` on writes.

use super::Db;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, ETAG, IF_MATCH, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const PASSWORD: &str = "correct horse battery staple";

/// `balade ARGS` on `db` with `input` on standard input.
pub fn balade_with_input(db: &Db, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_balade"))
        .args(args)
        .env("BALADE_DB", &db.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run balade");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

/// `balade user add EMAIL --role ROLE [--territory CODES]` with `password`.
pub fn add_user_with(db: &Db, email: &str, role: &str, territory: &str, password: &str) -> Output {
    let mut args = vec!["user", "add", email, "--role", role, "--password-stdin"];
    if !territory.is_empty() {
        args.extend(["--territory", territory]);
    }
    balade_with_input(db, &args, &format!("{password}\n"))
}

/// An account with [`PASSWORD`], which must be made.
pub fn add_user(db: &Db, email: &str, role: &str, territory: &str) {
    let out = add_user_with(db, email, role, territory, PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `balade_session=…` from an answer's `Set-Cookie`.
pub fn session_cookie(r: &reqwest::Response) -> String {
    let set = r.headers()[SET_COOKIE].to_str().expect("text");
    set.split(';').next().expect("pair").to_owned()
}

/// A staff member logged in on the server at `base`.
pub struct Staff {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
}

impl Staff {
    pub async fn login(base: &str, email: &str) -> Self {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .header(ORIGIN, base)
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{email}");
        let cookie = session_cookie(&r);
        Self {
            http,
            base: base.to_owned(),
            cookie,
        }
    }

    /// Uploads a file for an import job (`kind` chosen, or detected when `None`):
    /// status and JSON body.
    pub async fn upload(
        &self,
        name: &str,
        bytes: Vec<u8>,
        kind: Option<&str>,
    ) -> (StatusCode, Value) {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        if let Some(k) = kind {
            form = form.text("kind", k.to_owned());
        }
        let r = self
            .http
            .post(format!("{}/api/v1/admin/imports", self.base))
            .header(COOKIE, &self.cookie)
            .header(ORIGIN, &self.base)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// GET `path`: status, ETag and JSON body.
    pub async fn get(&self, path: &str) -> (StatusCode, Option<String>, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("get");
        let etag = r
            .headers()
            .get(ETAG)
            .map(|v| v.to_str().expect("text").to_owned());
        let status = r.status();
        let text = r.text().await.expect("text");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("GET {path}: {status} {e}: {text}"));
        (status, etag, body)
    }

    pub async fn patch(
        &self,
        path: &str,
        if_match: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut r = self
            .http
            .patch(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header(ORIGIN, &self.base)
            .json(&body);
        if let Some(tag) = if_match {
            r = r.header(IF_MATCH, tag);
        }
        let r = r.send().await.expect("patch");
        (r.status(), r.json().await.expect("json"))
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header(ORIGIN, &self.base)
            .json(&body)
            .send()
            .await
            .expect("post");
        (r.status(), r.json().await.expect("json"))
    }
}
