//! Single sign-on against a real OpenID provider run locally (the
//! certified `oidc-provider` package): the code flow with PKCE, state and
//! nonce, the `groups` claim mapped to roles, a person in no mapped group,
//! replayed and forged answers, a provider that is down, and a name that
//! belongs to a local account. (The same flow through Chromium is in
//! end2end/.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::oidc::{self, Provider};
use support::*;

struct Sso {
    server: Server,
    provider: Provider,
    _dir: tempfile::TempDir,
}

fn start() -> Sso {
    start_env(&[])
}

fn start_env(provider_env: &[(&str, &str)]) -> Sso {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let provider = Provider::start_env(&format!("{public}/auth/oidc/callback"), provider_env);
    let config = dir.path().join("shipshape.toml");
    std::fs::write(&config, provider.config_toml(&public)).unwrap();
    let server = Server::start_bound(
        dir.path(),
        &format!("127.0.0.1:{port}"),
        &["--config", path_str(&config)],
        &[],
    );
    Sso {
        server,
        provider,
        _dir: dir,
    }
}

fn location(r: &reqwest::Response, base: &str) -> String {
    let to = r
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location on {}", r.status()))
        .to_str()
        .unwrap();
    if to.starts_with('/') {
        format!("{base}{to}")
    } else {
        to.to_string()
    }
}

/// Starts a login at the server and logs in at the provider; returns the
/// address the provider sends the browser back to (not yet visited).
async fn at_provider(sso: &Sso, c: &reqwest::Client, user: &str, password: &str) -> String {
    let r = c
        .get(sso.server.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let to_provider = location(&r, &sso.server.base);
    assert!(
        to_provider.starts_with(&sso.provider.issuer),
        "{to_provider}"
    );
    assert!(
        to_provider.contains("code_challenge_method=S256"),
        "{to_provider}"
    );
    assert!(to_provider.contains("nonce="), "{to_provider}");
    let r = c.get(&to_provider).send().await.unwrap();
    let form = location(&r, &sso.provider.issuer);
    let page = c.get(&form).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let mut r = c
        .post(&form)
        .form(&[("login", user), ("password", password)])
        .send()
        .await
        .unwrap();
    // Follow the provider's own redirects until it sends us back.
    for _ in 0..5 {
        assert!(r.status().is_redirection(), "provider: {}", r.status());
        let next = location(&r, &sso.provider.issuer);
        if next.starts_with(&sso.server.base) {
            return next;
        }
        r = c.get(&next).send().await.unwrap();
    }
    panic!("the provider did not send the browser back");
}

async fn page_text(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn people_log_in_at_the_provider_and_come_back_with_their_mapped_role() {
    let sso = start();
    let s = &sso.server;
    let admin = setup_admin(s).await;

    // The login page offers the provider by its configured name.
    let html = get_text(&client(), s.url("/login")).await;
    assert!(html.contains("Log in with Example SSO"), "{html}");

    for (user, role) in [
        (oidc::ADMIN, "admin"),
        (oidc::MANAGER, "manager"),
        (oidc::SRE, "sre"),
    ] {
        let c = client();
        let back = at_provider(&sso, &c, user, &format!("{user}-pass")).await;
        let r = c.get(&back).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{user}: {:?}",
            r.text().await
        );
        assert_eq!(r.headers()["location"], "/");
        let me: Value = get_json(&c, s.url("/api/v1/session")).await;
        assert_eq!(
            (me["username"].as_str(), me["role"].as_str()),
            (Some(user), Some(role))
        );
        assert_eq!(me["source"], "oidc");

        // The same answer again (a replay): the login it belonged to is gone.
        let (status, text) = page_text(c.get(&back).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        assert!(text.contains("already used"), "{text}");
    }

    // In no mapped group: refused, and told why.
    let c = client();
    let back = at_provider(&sso, &c, oidc::INTERN, "ivan-pass").await;
    let (status, text) = page_text(c.get(&back).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("none of your groups"), "{text}");
    assert_eq!(
        c.get(s.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Each first login made an account, in the ledger, by the provider.
    let rows = export_rows(s, &admin, "item=_account").await;
    let by_oidc: Vec<&str> = rows
        .iter()
        .filter(|r| r["actor"] == "oidc")
        .map(|r| r["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        by_oidc,
        vec![
            "created olivia as admin (oidc)",
            "created max as manager (oidc)",
            "created sid as sre (oidc)"
        ]
    );
}

#[tokio::test]
async fn forged_or_refused_answers_log_nobody_in() {
    let sso = start();
    let s = &sso.server;
    setup_admin(s).await;

    // A state that is not this login's: refused, and the login is spent.
    let c = client();
    let back = at_provider(&sso, &c, oidc::ADMIN, "olivia-pass").await;
    let url = reqwest::Url::parse(&back).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let forged = s.url(&format!("/auth/oidc/callback?code={code}&state=forged"));
    let (status, text) = page_text(c.get(&forged).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("does not belong to this login"), "{text}");
    let (status, _) = page_text(c.get(&back).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.get(s.url("/api/v1/session"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Someone else's answer, in a browser that started no login.
    let victim = client();
    let back = at_provider(&sso, &victim, oidc::ADMIN, "olivia-pass").await;
    let attacker = client();
    let (status, _) = page_text(attacker.get(&back).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // ...and the victim's own login still works once.
    let r = victim.get(&back).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The provider says no.
    let c = client();
    c.get(s.url("/auth/oidc/start")).send().await.unwrap();
    let (status, text) = page_text(
        c.get(s.url("/auth/oidc/callback?error=access_denied&state=x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("did not log you in"), "{text}");
    // No code at all.
    let (status, _) = page_text(c.get(s.url("/auth/oidc/callback")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_local_account_is_not_taken_over_and_a_missing_provider_is_a_clear_503() {
    let sso = start();
    let s = &sso.server;
    let admin = setup_admin(s).await;
    // A local account already has the provider's user name.
    add_user(s, &admin, oidc::SRE, "sre", "local-sid-pass-1").await;
    let c = client();
    let back = at_provider(&sso, &c, oidc::SRE, "sid-pass").await;
    let (status, text) = page_text(c.get(&back).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("already has the user name"), "{text}");

    // A provider nobody answers for.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shipshape.toml");
    std::fs::write(
        &config,
        format!(
            "[oidc]\nissuer_url = \"http://127.0.0.1:{}\"\nclient_id = \"x\"\nclient_secret = \"y\"\n\
             public_url = \"http://127.0.0.1:1\"\n[oidc.roles]\nadmin = \"a\"\n",
            free_port()
        ),
    )
    .unwrap();
    let lonely = Server::start_with(dir.path(), &["--config", path_str(&config)]);
    let (status, text) = page_text(
        client()
            .get(lonely.url("/auth/oidc/start"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    assert!(text.contains("cannot be reached"), "{text}");

    // Without [oidc], there is no such login.
    let plain_dir = tempfile::tempdir().unwrap();
    let plain = Server::start(plain_dir.path());
    let r = client()
        .get(plain.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_person_who_renames_themselves_at_the_provider_does_not_reach_another_account() {
    // sid claims olivia's name; accounts are bound to the provider's subject.
    let sso = start_env(&[("OIDC_USERNAMES", "sid:olivia")]);
    let s = &sso.server;
    let admin = setup_admin(s).await;
    let olivia = client();
    let back = at_provider(&sso, &olivia, oidc::ADMIN, "olivia-pass").await;
    let r = olivia.get(&back).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let me: Value = get_json(&olivia, s.url("/api/v1/session")).await;
    assert_eq!(me["username"], "olivia");
    assert_eq!(me["role"], "admin");

    let sid = client();
    let back = at_provider(&sso, &sid, oidc::SRE, "sid-pass").await;
    let (status, text) = page_text(sid.get(&back).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("already has the user name"), "{text}");
    let r = sid.get(s.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "sid is nobody here");
    // Olivia's account is still hers alone: one OpenID account in all.
    let users: Vec<Value> = get_json(&admin, s.url("/api/v1/users")).await;
    assert_eq!(
        users.iter().filter(|u| u["source"] == "oidc").count(),
        1,
        "{users:?}"
    );

    // Her session and tokens last account_max_hours after her last login
    // through the provider (a leaver's access ends within it): moved back
    // past it, both stop; a new login through the provider starts again.
    let r = olivia
        .post(s.url("/api/v1/tokens"))
        .header("origin", &s.base)
        .json(&serde_json::json!({"name": "olivia-ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let token: Value = r.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    postgres::raw_sql(
        s.data.as_path(),
        &["UPDATE users SET directory_checked_at = '2020-01-01T00:00:00.000000Z' WHERE username = 'olivia'"],
    )
    .await
    .unwrap();
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/fleet"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = olivia.get(s.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let back = at_provider(&sso, &olivia, oidc::ADMIN, "olivia-pass").await;
    olivia.get(&back).send().await.unwrap();
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/fleet"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
