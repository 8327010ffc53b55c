//! Test support: start the real `shipshape` binary on a random port against
//! a temp SQLite file (or, when the suite runs on PostgreSQL, a fresh
//! database per data directory), and talk to it like a client would.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub mod ldap;
pub mod oidc;
pub mod postgres;
pub mod sims;

/// A loopback port free just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub const BIN: &str = env!("CARGO_BIN_EXE_shipshape");
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// A running server; killed when dropped. The data directory outlives it
/// until the `TempDir` drops, so a test can restart on the same data.
pub struct Server {
    child: Child,
    pub base: String,
    pub data: PathBuf,
}

impl Server {
    pub fn start(data: &Path) -> Server {
        Self::start_with(data, &[])
    }

    pub fn start_with(data: &Path, extra: &[&str]) -> Server {
        Self::start_env(data, extra, &[])
    }

    pub fn start_env(data: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Self::start_bound(data, "127.0.0.1:0", extra, env)
    }

    /// On a given address (when something else must know the port first,
    /// such as an OpenID provider's registered redirect address).
    pub fn start_bound(data: &Path, bind: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        postgres::use_database_of(&mut cmd, data, env);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(["--data-dir", path_str(data)])
            .args(extra)
            .args(["serve", "--bind", bind])
            .env("RUST_LOG", "warn")
            .env_remove("SHIPSHAPE_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("start shipshape");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let base = loop {
            assert!(Instant::now() < deadline, "server did not start in time");
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("shipshape listening on ") {
                        break url.trim().to_string();
                    }
                }
                _ => panic!("server exited before listening"),
            }
        };
        // keep draining stdout so the child never blocks on a full pipe
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            data: data.to_path_buf(),
        }
    }

    /// The server process's id (to read its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory of the server process so far, in bytes
    /// (`VmHWM` from /proc; Linux only).
    pub fn peak_rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signal by name (`TERM`, `INT`) as an orchestrator would.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name} failed");
    }

    /// Waits up to `within` for the process to exit; its status if it did.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Runs `shipshape` with arguments against a data directory.
pub fn cli(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    postgres::use_database_of(&mut cmd, data, env);
    cmd.args(["--data-dir", path_str(data)])
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("SHIPSHAPE_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).output().expect("run shipshape")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A client that says it comes from the server's own pages (`Origin`), as
/// a browser does: state changes on a cookie session need it.
pub fn client_for(server: &Server) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(&server.base).expect("origin"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

/// A client logged in as `username`.
pub async fn login(server: &Server, username: &str, password: &str) -> reqwest::Client {
    let c = client_for(server);
    let r = c
        .post(server.url("/api/v1/session"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request");
    assert_eq!(r.status(), 200, "login as {username}");
    c
}

/// An admin adds a user through the API (201 asserted); returns a client
/// logged in as that user.
pub async fn add_user(
    server: &Server,
    admin: &reqwest::Client,
    username: &str,
    role: &str,
    password: &str,
) -> reqwest::Client {
    let r = admin
        .post(server.url("/api/v1/users"))
        .json(&serde_json::json!({"username": username, "role": role, "password": password}))
        .send()
        .await
        .expect("add user");
    assert_eq!(r.status(), 201, "add user {username}");
    login(server, username, password).await
}

/// First-run setup through the API; returns the admin's client.
/// The one-time setup token the server wrote to its data directory.
pub fn setup_token(server: &Server) -> String {
    std::fs::read_to_string(server.data.join("setup-token"))
        .expect("the server wrote a setup token")
        .trim()
        .to_string()
}

pub async fn setup_admin(server: &Server) -> reqwest::Client {
    let c = client_for(server);
    let r = c
        .post(server.url("/api/v1/setup"))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD, "setup_token": setup_token(server)}))
        .send()
        .await
        .expect("setup request");
    assert_eq!(r.status(), 201, "first-run setup");
    c
}

pub async fn create_cluster(server: &Server, c: &reqwest::Client, name: &str) -> i64 {
    create_cluster_at(server, c, name, "https://trino.example.com:8443").await
}

pub async fn create_cluster_at(server: &Server, c: &reqwest::Client, name: &str, url: &str) -> i64 {
    let r = c
        .post(server.url("/api/v1/clusters"))
        .json(&serde_json::json!({"name": name, "environment": "prod", "coordinator_url": url}))
        .send()
        .await
        .expect("create cluster");
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.expect("json");
    v["id"].as_i64().expect("id")
}

/// GETs a URL and reads its JSON body.
pub async fn get_json<T: serde::de::DeserializeOwned>(c: &reqwest::Client, url: String) -> T {
    c.get(url)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("a JSON body")
}

/// GETs a URL and reads its body as text.
pub async fn get_text(c: &reqwest::Client, url: String) -> String {
    c.get(url)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("text body")
}

/// The ledger rows the JSON Lines export gives for `query` (such as
/// `item=_account`), oldest first.
pub async fn export_rows(
    server: &Server,
    c: &reqwest::Client,
    query: &str,
) -> Vec<serde_json::Value> {
    get_text(
        c,
        server.url(&format!("/api/v1/export/signoffs.jsonl?{query}")),
    )
    .await
    .lines()
    .map(|l| serde_json::from_str(l).expect("a JSON line"))
    .collect()
}
