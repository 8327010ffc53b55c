//! LDAP logins against a real Debian `slapd` on loopback (StartTLS and
//! ldaps://, with a CA made for the test): search-then-bind and direct
//! bind, groups mapped to roles and re-read at every login, a person in no
//! mapped group refused with a clear message, wrong passwords, a disabled
//! account, a directory that is down, and the local break-glass admin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::{json, Value};
use support::ldap::{self, Slapd};
use support::*;

fn roles_toml(admin_group: &str) -> String {
    format!(
        "[ldap.roles]\nadmin = \"{admin_group}\"\nmanager = [\"{}\"]\nsre = \"{}\"\n",
        ldap::MANAGERS_GROUP,
        ldap::SRES_GROUP
    )
}

/// A config file for search-then-bind over StartTLS.
fn search_config(dir: &std::path::Path, slapd: &Slapd, admin_group: &str) -> std::path::PathBuf {
    let path = dir.join("shipshape.toml");
    let text = format!(
        "[ldap]\nurl = \"{}\"\nstarttls = true\nca_file = \"{}\"\nbase_dn = \"{}\"\n\
         bind_dn = \"{}\"\nbind_password = \"{}\"\nuser_base_dn = \"{}\"\n{}",
        slapd.url,
        slapd.ca_pem_path.display(),
        ldap::BASE_DN,
        ldap::SERVICE_DN,
        ldap::SERVICE_PASSWORD,
        ldap::PEOPLE_DN,
        roles_toml(admin_group)
    );
    std::fs::write(&path, text).unwrap();
    path
}

async fn try_login(s: &Server, user: &str, password: &str) -> (reqwest::StatusCode, Value) {
    let c = client_for(s);
    let r = c
        .post(s.url("/api/v1/session"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn account_rows(s: &Server, admin: &reqwest::Client) -> Vec<Value> {
    export_rows(s, admin, "item=_account").await
}

#[tokio::test]
async fn directory_people_log_in_with_the_role_their_groups_give() {
    let slapd = Slapd::start();
    let dir = tempfile::tempdir().unwrap();
    let config = search_config(dir.path(), &slapd, ldap::ADMINS_GROUP);
    let s = Server::start_with(dir.path(), &["--config", path_str(&config)]);
    let admin = setup_admin(&s).await;

    for (user, password, role) in [
        (ldap::ALICE, ldap::ALICE_PASSWORD, "admin"),
        (ldap::MONA, ldap::MONA_PASSWORD, "manager"),
        (ldap::SAM, ldap::SAM_PASSWORD, "sre"),
    ] {
        let (status, body) = try_login(&s, user, password).await;
        assert_eq!(status, 200, "{user}: {body}\n{}", slapd.log());
        assert_eq!(body["role"], role, "{user}: {body}");
        assert_eq!(body["source"], "ldap", "{user}: {body}");
    }
    // Wrong password, unknown person, filter injection: the same 401.
    for (user, password) in [
        (ldap::ALICE, "wrong-password"),
        ("nobody", "whatever-pass"),
        ("*", ldap::ALICE_PASSWORD),
        ("alice)(uid=*", ldap::ALICE_PASSWORD),
    ] {
        let (status, body) = try_login(&s, user, password).await;
        assert_eq!(status, 401, "{user}: {body}");
        assert_eq!(body["error"], "wrong user name or password");
    }
    // An empty password is never an (anonymous) bind.
    assert_eq!(try_login(&s, ldap::ALICE, "").await.0, 401);
    // Known, right password, but in no mapped group: told why.
    let (status, body) = try_login(&s, ldap::UMA, ldap::UMA_PASSWORD).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("none of your groups"),
        "{body}"
    );
    // The local admin still logs in (break-glass).
    login(&s, "admin", ADMIN_PASSWORD).await;

    // The directory's people are listed as such; their password and role
    // stay with the directory.
    let users: Vec<Value> = get_json(&admin, s.url("/api/v1/users")).await;
    let alice = users.iter().find(|u| u["username"] == "alice").unwrap();
    assert_eq!(alice["source"], "ldap");
    assert!(users.iter().all(|u| u["username"] != "uma"), "{users:?}");
    let alice_id = alice["id"].as_i64().unwrap();
    let r = admin
        .post(s.url(&format!("/api/v1/users/{alice_id}/password")))
        .json(&json!({"password": "a-new-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let alice_client = login(&s, ldap::ALICE, ldap::ALICE_PASSWORD).await;
    let r = alice_client
        .post(s.url("/api/v1/session/password"))
        .json(
            &json!({"current_password": ldap::ALICE_PASSWORD, "new_password": "a-new-password-1"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A disabled directory account stays shut, whatever the directory says.
    let r = admin
        .put(s.url(&format!("/api/v1/users/{alice_id}")))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = try_login(&s, ldap::ALICE, ldap::ALICE_PASSWORD).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("disabled"),
        "{body}"
    );
    let whoami = alice_client
        .get(s.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(whoami.status(), 401);

    // Each new account is a ledger row written by the directory.
    let rows = account_rows(&s, &admin).await;
    let created: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["action"] == "account_created")
        .map(|r| (r["actor"].as_str().unwrap(), r["note"].as_str().unwrap()))
        .collect();
    assert_eq!(
        created,
        vec![
            ("setup", "created admin as admin (local)"),
            ("ldap", "created alice as admin (ldap)"),
            ("ldap", "created mona as manager (ldap)"),
            ("ldap", "created sam as sre (ldap)"),
        ]
    );
    let v: Value = get_json(&admin, s.url("/api/v1/ledger/verify")).await;
    assert_eq!(v["ok"], true, "{v}");
}

#[tokio::test]
async fn roles_are_read_again_at_each_login_and_changes_are_ledger_rows() {
    let slapd = Slapd::start_without_member_of();
    let dir = tempfile::tempdir().unwrap();
    let config = search_config(dir.path(), &slapd, ldap::ADMINS_GROUP);
    let s = Server::start_with(dir.path(), &["--config", path_str(&config)]);
    let admin = setup_admin(&s).await;
    let (_, body) = try_login(&s, ldap::ALICE, ldap::ALICE_PASSWORD).await;
    assert_eq!(body["role"], "admin", "{body}");
    s.stop();

    // The mapping changes (as a group membership would): the next login
    // takes the new role, and the ledger says the directory changed it.
    let config = search_config(
        dir.path(),
        &slapd,
        "cn=someone-else,ou=groups,dc=example,dc=com",
    );
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("manager = [\"{}\"]", ldap::MANAGERS_GROUP),
        &format!(
            "manager = [\"{}\", \"{}\"]",
            ldap::MANAGERS_GROUP,
            ldap::ADMINS_GROUP
        ),
    );
    std::fs::write(&config, text).unwrap();
    let s = Server::start_with(dir.path(), &["--config", path_str(&config)]);
    let (status, body) = try_login(&s, ldap::ALICE, ldap::ALICE_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "manager", "{body}");
    let admin = {
        drop(admin);
        login(&s, "admin", ADMIN_PASSWORD).await
    };
    let rows = account_rows(&s, &admin).await;
    let last = rows.last().unwrap();
    assert_eq!(last["action"], "role_changed");
    assert_eq!(last["actor"], "ldap");
    assert_eq!(last["note"], "role of alice: admin → manager");
}

#[tokio::test]
async fn direct_bind_over_ldaps_and_a_directory_that_is_down() {
    let slapd = Slapd::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.toml");
    std::fs::write(
        &path,
        format!(
            "[ldap]\nurl = \"{}\"\nca_file = \"{}\"\nbase_dn = \"{}\"\n\
             bind_pattern = \"uid={{user}},{}\"\ngroup_base_dn = \"{}\"\ntimeout_secs = 2\n{}",
            slapd.ldaps_url,
            slapd.ca_pem_path.display(),
            ldap::BASE_DN,
            ldap::PEOPLE_DN,
            ldap::GROUPS_DN,
            roles_toml(ldap::ADMINS_GROUP)
        ),
    )
    .unwrap();
    let s = Server::start_with(dir.path(), &["--config", path_str(&path)]);
    setup_admin(&s).await;
    let (status, body) = try_login(&s, ldap::SAM, ldap::SAM_PASSWORD).await;
    assert_eq!(status, 200, "{body}\n{}", slapd.log());
    assert_eq!(body["role"], "sre");
    assert_eq!(try_login(&s, ldap::SAM, "wrong-password").await.0, 401);
    // A DN-breaking name is escaped, not interpreted.
    assert_eq!(
        try_login(&s, "sam,ou=people", ldap::SAM_PASSWORD).await.0,
        401
    );

    // The directory goes away: a clear 503, and local accounts still work.
    drop(slapd);
    let (status, body) = try_login(&s, ldap::SAM, ldap::SAM_PASSWORD).await;
    assert_eq!(status, 503, "{body}");
    assert!(body["error"].as_str().unwrap().contains("LDAP"), "{body}");
    login(&s, "admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn bad_ldap_settings_stop_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.toml");
    std::fs::write(
        &path,
        "[ldap]\nurl = \"ldap://127.0.0.1:389\"\nbase_dn = \"dc=x\"\nbind_pattern = \"uid={user},dc=x\"\n[ldap.roles]\nadmin = \"cn=a,dc=x\"\n",
    )
    .unwrap();
    let out = cli(
        dir.path(),
        &[
            "--config",
            path_str(&path),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("starttls"), "{err}");
}

#[tokio::test]
async fn a_leaver_removed_from_every_mapped_group_loses_api_access_within_one_refresh() {
    let slapd = Slapd::start();
    let dir = tempfile::tempdir().unwrap();
    let config = search_config(dir.path(), &slapd, ldap::ADMINS_GROUP);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace("[ldap]\n", "[ldap]\nrefresh_secs = 1\n");
    std::fs::write(&config, text).unwrap();
    let s = Server::start_with(dir.path(), &["--config", path_str(&config)]);
    let admin = setup_admin(&s).await;
    let sam = login(&s, ldap::SAM, ldap::SAM_PASSWORD).await;
    let r = sam
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": "sam-ci", "read_only": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token: Value = r.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let with_token = || async {
        reqwest::Client::new()
            .get(s.url("/api/v1/fleet"))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(with_token().await, 200);

    // Sam leaves the team: the SRE group keeps only someone else.
    slapd.set_members(ldap::SRES_GROUP, &[ldap::UMA_DN]).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while with_token().await != 401 {
        assert!(
            std::time::Instant::now() < deadline,
            "sam's token still works 15 s after leaving\n{}",
            slapd.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let r = sam.get(s.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(r.status(), 401, "the session ended too");
    let rows = account_rows(&s, &admin).await;
    let disabled = rows
        .iter()
        .find(|r| r["actor"] == "ldap" && r["action"].as_str().unwrap_or("").contains("disable"))
        .unwrap_or_else(|| panic!("no account row by ldap: {rows:?}"));
    assert!(
        disabled["note"].as_str().unwrap_or("").contains("sam"),
        "{disabled}"
    );
    // Others are untouched: mona still logs in.
    let (status, _) = try_login(&s, ldap::MONA, ldap::MONA_PASSWORD).await;
    assert_eq!(status, 200);
}
