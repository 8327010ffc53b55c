//! Service rules against a real SQLite file: concurrent sign-offs, the
//! append-only schema, tamper detection, first-run setup races.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use secrecy::SecretString;
use shipshape_backend::service::{auth, clusters, signoffs, users};
use shipshape_backend::{AppState, ServiceError};
use shipshape_domain::cluster::ClusterInput;
use shipshape_domain::role::Role;
use shipshape_domain::signoff::{ItemStatus, SignoffAction};
use shipshape_domain::user::User;

mod common;
use common::state;

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

async fn admin(state: &AppState) -> User {
    let token = auth::prepare_setup(state).await.unwrap().unwrap();
    auth::setup_first_admin(state, "admin", pw("admin-password-1"), &token)
        .await
        .unwrap()
}

async fn a_cluster(state: &AppState, by: &User, name: &str) -> i64 {
    let input = ClusterInput {
        name: name.into(),
        environment: "prod".into(),
        coordinator_url: "https://trino.example.com:8443".into(),
        notes: String::new(),
        connection: Default::default(),
    };
    clusters::create(state, by, &input).await.unwrap().id.get()
}

#[tokio::test]
async fn fifty_concurrent_signoffs_all_land_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let id = a_cluster(&state, &admin, "c1").await;
    let items: Vec<String> = state.runbook.items().map(|(_, i)| i.id.clone()).collect();
    let mut tasks = Vec::new();
    for n in 0..50 {
        let state = state.clone();
        let admin = admin.clone();
        let item = items[n % items.len()].clone();
        tasks.push(tokio::spawn(async move {
            signoffs::sign(
                &state,
                &admin,
                id.into(),
                &item,
                SignoffAction::Done,
                &format!("run {n}"),
            )
            .await
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().expect("every sign-off lands").seq);
    }
    seqs.sort();
    // seq 1 records the admin's account, seq 2 the cluster's registration
    assert_eq!(seqs, (3..=52).collect::<Vec<i64>>());
    let v = signoffs::verify_ledger(&state).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.entries, 52);
}

#[tokio::test]
async fn the_ledger_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let id = a_cluster(&state, &admin, "c1").await;
    signoffs::sign(
        &state,
        &admin,
        id.into(),
        "spill",
        SignoffAction::Done,
        "ok",
    )
    .await
    .unwrap();
    let upd = common::execute(&state, "UPDATE ledger SET note = 'x'", &[])
        .await
        .unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    let del = common::execute(&state, "DELETE FROM ledger", &[])
        .await
        .unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
}

#[tokio::test]
async fn a_row_edited_behind_the_triggers_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let id = a_cluster(&state, &admin, "c1").await;
    for item in ["spill", "tls", "jvm", "audit"] {
        signoffs::sign(&state, &admin, id.into(), item, SignoffAction::Done, "")
            .await
            .unwrap();
    }
    common::drop_trigger(&state, "ledger_append_only_update", "ledger").await;
    common::execute(
        &state,
        "UPDATE ledger SET actor = 'mallory' WHERE seq = 3",
        &[],
    )
    .await
    .unwrap();
    let v = signoffs::verify_ledger(&state).await.unwrap();
    assert!(!v.ok);
    assert_eq!(v.broken_seq, Some(3.into()));
}

#[tokio::test]
async fn state_follows_the_ledger_and_rules_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let id = a_cluster(&state, &admin, "c1").await;
    let e = signoffs::sign(
        &state,
        &admin,
        id.into(),
        "tls",
        SignoffAction::NotApplicable,
        " ",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f.get("note").is_some()),
        "{e:?}"
    );
    let e = signoffs::sign(&state, &admin, id.into(), "tls", SignoffAction::Revoked, "")
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f.get("status").is_some()),
        "{e:?}"
    );
    let e = signoffs::sign(
        &state,
        &admin,
        id.into(),
        "no-such-item",
        SignoffAction::Done,
        "",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::NotFound("item")));
    signoffs::sign(
        &state,
        &admin,
        id.into(),
        "tls",
        SignoffAction::NotApplicable,
        "internal only",
    )
    .await
    .unwrap();
    signoffs::sign(&state, &admin, id.into(), "spill", SignoffAction::Done, "")
        .await
        .unwrap();
    signoffs::sign(
        &state,
        &admin,
        id.into(),
        "spill",
        SignoffAction::Revoked,
        "wrong cluster",
    )
    .await
    .unwrap();
    let (_, c) = signoffs::checklist(&state, &admin, id.into())
        .await
        .unwrap();
    assert_eq!(c.item("tls").unwrap().status, ItemStatus::NotApplicable);
    assert_eq!(c.item("spill").unwrap().status, ItemStatus::Open);
    let h = signoffs::history(&state, &admin, id.into(), "spill")
        .await
        .unwrap();
    assert_eq!(
        h.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(),
        ["revoked", "done"]
    );
}

#[tokio::test]
async fn roles_are_enforced_by_the_services() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let id = a_cluster(&state, &admin, "c1").await;
    let manager = users::add_user(&state, &admin, "mgr", Role::Manager, pw("manager-pass-1"))
        .await
        .unwrap();
    let auditor = users::create_user(&state, "aud", Role::Auditor, pw("auditor-pass-1"))
        .await
        .unwrap();
    for who in [&manager, &auditor] {
        let e = signoffs::sign(&state, who, id.into(), "spill", SignoffAction::Done, "")
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden));
        assert!(matches!(
            users::list_users(&state, who).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(signoffs::checklist(&state, who, id.into()).await.is_ok());
    }
    let e = users::add_user(&state, &admin, "MGR", Role::Sre, pw("another-pass-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f.get("username").is_some()),
        "names are unique regardless of case"
    );
}

#[tokio::test]
async fn first_run_setup_happens_once_even_when_raced() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    assert!(auth::needs_setup(&state).await.unwrap());
    // Without the setup token, nobody gets in.
    assert!(matches!(
        auth::setup_first_admin(&state, "eve", pw("password-eve-1"), &pw("guess")).await,
        Err(shipshape_backend::ServiceError::Invalid(_))
    ));
    let token = auth::prepare_setup(&state).await.unwrap().unwrap();
    let a = tokio::spawn({
        let (s, t) = (state.clone(), token.clone());
        async move { auth::setup_first_admin(&s, "one", pw("password-one-1"), &t).await }
    });
    let b = tokio::spawn({
        let (s, t) = (state.clone(), token.clone());
        async move { auth::setup_first_admin(&s, "two", pw("password-two-2"), &t).await }
    });
    let results = [a.await.unwrap(), b.await.unwrap()];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(!auth::needs_setup(&state).await.unwrap());
    let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
    assert_eq!(winner.role, Role::Admin);
    assert!(auth::login(
        &state,
        &winner.username,
        pw(if winner.username == "one" {
            "password-one-1"
        } else {
            "password-two-2"
        }),
        None
    )
    .await
    .is_ok());
    assert!(matches!(
        auth::login(&state, "nobody", pw("password-one-1"), None).await,
        Err(ServiceError::BadCredentials)
    ));
}

#[tokio::test]
async fn duplicate_names_conflict_and_archived_clusters_cannot_be_signed() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let id = a_cluster(&state, &admin, "Analytics").await;
    let input = ClusterInput {
        name: "analytics".into(),
        environment: "prod".into(),
        coordinator_url: "http://x:8080".into(),
        notes: String::new(),
        connection: Default::default(),
    };
    assert!(matches!(
        clusters::create(&state, &admin, &input).await,
        Err(ServiceError::Conflict(_))
    ));
    clusters::set_archived(&state, &admin, id.into(), true)
        .await
        .unwrap();
    assert!(matches!(
        signoffs::sign(&state, &admin, id.into(), "spill", SignoffAction::Done, "").await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(clusters::list(&state, &admin, false)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(clusters::list(&state, &admin, true).await.unwrap().len(), 1);
}

#[test]
fn every_migration_file_is_embedded() {
    // `sqlx::migrate!` embeds at compile time; build.rs makes cargo rebuild
    // when the folder changes. This catches a migration that was not picked up.
    let count = |folder: &str| {
        let dir = format!("{}/../migrations/{folder}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "sql")
            })
            .count()
    };
    assert_eq!(
        shipshape_backend::store::sqlite::MIGRATOR.iter().count(),
        count("sqlite")
    );
    assert_eq!(
        shipshape_backend::store::postgres::MIGRATOR.iter().count(),
        count("postgres")
    );
}

/// The CSV export is written by SQLite (one string per page); it must be
/// byte for byte what the Rust encoder writes for the same rows, whatever
/// the notes hold, on every page and under every filter.
#[tokio::test]
async fn csv_written_by_the_database_equals_the_rust_encoder() {
    use futures::StreamExt;
    use shipshape_backend::service::export;
    use shipshape_domain::export::{push_csv_row, ExportQuery};
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let admin = admin(&state).await;
    let a = a_cluster(&state, &admin, "c1").await;
    let b = a_cluster(&state, &admin, "c2").await;
    let notes = [
        "plain",
        "a,b",
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-3",
        "@SUM(A1)",
        "'quoted",
        "say \"hi\"",
        "two\r\nlines",
        "one\nline feed",
        "\ttab first",
        "\rreturn first",
        "é ü 日本 🚀, and a comma",
        "",
        "trailing quote\"",
    ];
    for (n, note) in notes.iter().enumerate() {
        let (cluster, action) = if n % 3 == 0 {
            (b, SignoffAction::NotApplicable)
        } else {
            (a, SignoffAction::Done)
        };
        signoffs::sign(&state, &admin, cluster.into(), "spill", action, note)
            .await
            .unwrap();
    }
    for q in [
        ExportQuery::default(),
        ExportQuery {
            cluster: Some(a.to_string()),
            ..Default::default()
        },
        ExportQuery {
            user: Some("ADMIN".into()),
            item: Some("spill".into()),
            ..Default::default()
        },
        ExportQuery {
            user: Some("nobody".into()),
            ..Default::default()
        },
    ] {
        let filter = export::prepare(&state, &admin, &q).await.unwrap();
        let names = export::cluster_names(&state).await.unwrap();
        let mut expected = String::new();
        let mut rows = export::rows(state.clone(), filter.clone());
        let mut count = 0;
        while let Some(row) = rows.next().await {
            let row = row.unwrap();
            let name = names.get(&row.content().cluster_id).map(String::as_str);
            push_csv_row(&mut expected, &row, name.unwrap_or(""));
            count += 1;
        }
        let written: Vec<String> = export::csv_pages(state.clone(), filter.clone())
            .map(|p| p.unwrap())
            .collect()
            .await;
        assert_eq!(written.concat(), expected, "{q:?}");
        // Small ranges: every boundary falls between whole records.
        let mut conn = state.db.read().await.unwrap();
        let tip = conn.ledger().tip_seq().await.unwrap();
        let mut paged = String::new();
        for after in (0..tip).step_by(4) {
            if let Some((last, text)) = conn
                .ledger()
                .export_csv_page(&filter, after, after + 4)
                .await
                .unwrap()
            {
                assert!(last > after && last <= after + 4 && text.ends_with("\r\n"));
                paged.push_str(&text);
            }
        }
        assert_eq!(paged, expected, "{q:?} in ranges of 4");
        if q.user.as_deref() == Some("nobody") {
            assert_eq!(count, 0);
        } else {
            assert!(count >= 5, "{q:?} matched {count} rows");
        }
    }
}
