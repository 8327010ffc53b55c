//! The read model equals its rebuild from the ledger: after random
//! histories of 10,000 rows (sign-offs, revocations, waivers requested,
//! approved, rejected and expiring, Day-2 completions, verdict changes, and
//! rows that change no item), and after concurrent writers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

use secrecy::SecretString;
use shipshape_backend::ledger;
use shipshape_backend::service::{auth, clusters, signoffs, views};
use shipshape_backend::AppState;
use shipshape_domain::cluster::ClusterInput;
use shipshape_domain::signoff::SignoffAction;
use shipshape_domain::time::Timestamp;
use shipshape_domain::trend::{trend, trend_from_states, TrendCluster};

mod common;
use common::state;

/// The first admin, and clusters "a" and "b" registered by them.
async fn admin_and_two_clusters(state: &AppState) -> (shipshape_domain::user::User, Vec<i64>) {
    let token = auth::prepare_setup(state).await.unwrap().unwrap();
    let admin = auth::setup_first_admin(
        state,
        "admin",
        SecretString::from("admin-password-1".to_string()),
        &token,
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        let input = ClusterInput {
            name: name.into(),
            environment: "prod".into(),
            coordinator_url: "https://trino.example.com:8443".into(),
            notes: String::new(),
            connection: Default::default(),
        };
        ids.push(
            clusters::create(state, &admin, &input)
                .await
                .unwrap()
                .id
                .get(),
        );
    }
    (admin, ids)
}

/// A small deterministic generator (xorshift64*), so a failure can be
/// replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len() as u64) as usize]
    }
}

const ITEMS: &[&str] = &[
    "spill",
    "tls",
    "jvm",
    "audit",
    "alerts",
    "weekly-review",
    "backups",
];

/// One random row's (action, note, details) for an item; `requests` holds
/// the seqs of earlier waiver requests, this item's last (decisions mostly
/// refer to the item's newest request, sometimes to another or to none).
fn random_row(rng: &mut Rng, requests: &[i64], own: Option<i64>) -> (&'static str, String, String) {
    let day = 1 + rng.below(28);
    let (action, details) = match rng.below(12) {
        0..=2 => ("done", String::new()),
        3 => ("not_applicable", String::new()),
        4 => ("revoked", String::new()),
        5 => (
            "waiver_requested",
            format!(
                r#"{{"waiver":{{"kind":"{}","expires_on":"2027-0{}-{:02}"}}}}"#,
                if rng.below(2) == 0 {
                    "accepted_risk"
                } else {
                    "not_applicable"
                },
                1 + rng.below(9),
                day
            ),
        ),
        6 | 7 => {
            let target = match (own, rng.below(5)) {
                (Some(seq), 0..=2) => seq,
                _ if !requests.is_empty() && rng.below(2) == 0 => {
                    requests[rng.below(requests.len() as u64) as usize]
                }
                _ => 999_999,
            };
            (
                if rng.below(2) == 0 {
                    "waiver_approved"
                } else {
                    "waiver_rejected"
                },
                format!(r#"{{"waiver_request_seq":{target}}}"#),
            )
        }
        8 => (
            "check_verdict",
            format!(
                r#"{{"from":"pass","to":"{}","since":"s","runs":2,"run_id":"r","observed":"o","evidence_sha256":"e"}}"#,
                ["pass", "fail", "error"][rng.below(3) as usize]
            ),
        ),
        9 => (
            "completed",
            format!(
                r#"{{"outcome":"{}","done_on":"2026-11-{day:02}"}}"#,
                if rng.below(2) == 0 {
                    "ok"
                } else {
                    "issues_found"
                }
            ),
        ),
        10 => (
            "cluster_changed",
            format!(
                r#"{{"changes":[],"resets_verdicts":{}}}"#,
                rng.below(2) == 0
            ),
        ),
        // malformed details: the fold must skip them the same way
        _ => (
            ["waiver_requested", "completed", "check_verdict"][rng.below(3) as usize],
            "{not json".to_string(),
        ),
    };
    (action, format!("note {}", rng.next() % 1000), details)
}

#[tokio::test]
async fn the_read_model_equals_its_rebuild_after_random_histories() {
    for seed in [1u64, 0x5eed, 0xdead_beef] {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let mut rng = Rng(seed);
        let mut requests = Vec::new();
        let mut newest_request: std::collections::HashMap<(i64, String), i64> =
            std::collections::HashMap::new();
        let mut written = 0;
        // 10,000 rows, in transactions of up to 250 (as many writers would).
        while written < 10_000 {
            let batch = 1 + rng.below(250) as usize;
            let mut tx = state.db.write().await.unwrap();
            for _ in 0..batch.min(10_000 - written) {
                let cluster_id = 1 + rng.below(6) as i64;
                let item = rng.pick(ITEMS).to_string();
                let own = newest_request.get(&(cluster_id, item.clone())).copied();
                let (action, note, details) = random_row(&mut rng, &requests, own);
                let entry = ledger::append(
                    &mut tx,
                    ledger::NewRow {
                        at: Timestamp::parse(&format!(
                            "2026-11-{:02}T{:02}:00:00Z",
                            1 + written / 400,
                            written % 24
                        ))
                        .unwrap(),
                        actor: ["sam", "mona", "shipshape"][rng.below(3) as usize],
                        cluster_id: cluster_id.into(),
                        item_id: &item,
                        action,
                        note,
                        details,
                    },
                )
                .await
                .unwrap();
                if action == "waiver_requested" {
                    requests.push(entry.content().seq.get());
                    newest_request.insert((cluster_id, item.clone()), entry.content().seq.get());
                }
                written += 1;
            }
            tx.commit().await.unwrap();
        }
        let mut conn = state.db.read().await.unwrap();
        let incremental = ledger::snapshot(&mut conn).await.unwrap();
        let rebuilt = ledger::fold_ledger(&mut conn).await.unwrap();
        drop(conn);
        let n = incremental.states.len();
        assert!(n >= 30, "seed {seed}: {n} states");
        assert!(incremental.daily.len() > n);
        assert!(
            incremental.states == rebuilt.states,
            "seed {seed}: the incremental read model differs from the rebuild"
        );
        assert!(
            incremental.daily == rebuilt.daily,
            "seed {seed}: the incremental daily states differ from the rebuild"
        );
        // Some of everything happened.
        let all: Vec<_> = incremental.states.values().collect();
        assert!(all.iter().any(|s| s
            .record
            .waiver
            .as_ref()
            .is_some_and(|w| w.decision.is_some())));
        assert!(all.iter().any(|s| s.completion.is_some()));
        assert!(all.iter().any(|s| s.record.verdict.is_some()));
        // The trend from the daily states equals the replay of the ledger,
        // for a window that starts after the history does.
        let (first, last) = (
            chrono::NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        );
        let clusters: Vec<TrendCluster> = (1..=6)
            .map(|id| TrendCluster {
                id: shipshape_domain::ids::ClusterId::new(id),
                registered_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            })
            .collect();
        let mut conn = state.db.read().await.unwrap();
        let rows = conn.ledger().standing_rows(None).await.unwrap();
        let replayed = trend(&state.runbook, &clusters, &rows, first, last);
        let initial = ledger::records_before(&mut conn, first, None)
            .await
            .unwrap();
        let changes = ledger::records_between(&mut conn, first, last, None)
            .await
            .unwrap();
        let from_states =
            trend_from_states(&state.runbook, &clusters, initial, &changes, first, last);
        assert_eq!(replayed.len(), 22);
        assert!(replayed.iter().any(|p| p.progress.done > 0), "{replayed:?}");
        assert_eq!(replayed, from_states, "seed {seed}");
        // A rebuild stores the same states.
        views::rebuild(&state).await.unwrap();
        let mut conn = state.db.read().await.unwrap();
        assert!(ledger::snapshot(&mut conn).await.unwrap() == incremental);
        assert!(ledger::is_current(&mut conn).await.unwrap());
    }
}

#[tokio::test]
async fn concurrent_writers_keep_the_read_model_equal_to_its_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let (admin, ids) = admin_and_two_clusters(&state).await;
    let mut tasks = Vec::new();
    for n in 0..50 {
        let (state, admin) = (state.clone(), admin.clone());
        let id = ids[n % 2];
        let item = ITEMS[n % 5].to_string();
        let action = [
            SignoffAction::Done,
            SignoffAction::Revoked,
            SignoffAction::NotApplicable,
        ][n % 3];
        tasks.push(tokio::spawn(async move {
            signoffs::sign(
                &state,
                &admin,
                id.into(),
                &item,
                action,
                &format!("run {n}"),
            )
            .await
        }));
    }
    let mut landed = 0;
    for t in tasks {
        // a revocation of nothing is refused; everything else lands
        landed += usize::from(t.await.unwrap().is_ok());
    }
    assert!(landed >= 30, "{landed} sign-offs landed");
    let mut conn = state.db.read().await.unwrap();
    let incremental = ledger::snapshot(&mut conn).await.unwrap();
    let rebuilt = ledger::fold_ledger(&mut conn).await.unwrap();
    assert_eq!(incremental.states.len(), 10);
    assert!(incremental == rebuilt);
}

/// Appends one sign-off row dated `at` straight through the repository (as
/// an import or a clock step back would), in its own transaction.
async fn append_dated(
    state: &AppState,
    at: chrono::DateTime<chrono::Utc>,
    cluster_id: i64,
    item: &str,
) {
    let mut tx = state.db.write().await.unwrap();
    ledger::append(
        &mut tx,
        ledger::NewRow {
            at: at.into(),
            actor: "sam",
            cluster_id: cluster_id.into(),
            item_id: item,
            action: "done",
            note: String::new(),
            details: String::new(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The fleet trend keeps its past days across writes (a write changes only
/// today) and still equals the trend computed afresh: after sign-offs made
/// now, and after a row dated days ago, which must drop the kept days.
#[tokio::test]
async fn the_trend_kept_across_writes_equals_the_trend_computed_afresh() {
    use shipshape_backend::service::fleet::{readiness_trend, FleetQuery};
    let dir = tempfile::tempdir().unwrap();
    let state = state(&dir).await;
    let now = chrono::Utc::now();
    let (admin, ids) = admin_and_two_clusters(&state).await;
    // Registered a month ago, signed off over the weeks since.
    let month_ago = shipshape_domain::time::format_ts(now - chrono::Duration::days(30));
    common::execute(&state, "UPDATE clusters SET created_at = ?", &[&month_ago])
        .await
        .unwrap();
    for (n, item) in ["spill", "tls", "jvm"].iter().enumerate() {
        append_dated(
            &state,
            now - chrono::Duration::days(20 - n as i64),
            ids[0],
            item,
        )
        .await;
    }
    let q = FleetQuery::default();
    let fresh = |state: AppState, admin| async move {
        state.read_cache.clear();
        readiness_trend(&state, &admin, None, &FleetQuery::default())
            .await
            .unwrap()
    };
    let first = readiness_trend(&state, &admin, None, &q).await.unwrap();
    assert_eq!(first, fresh(state.clone(), admin.clone()).await);
    assert!(
        first
            .iter()
            .rev()
            .nth(10)
            .is_some_and(|p| p.progress.done == 3),
        "{first:?}"
    );

    // Sign-offs made now: today's point moves, the kept days stay right.
    for item in [
        "coordinator-isolation",
        "memory-guardrails",
        "authorization",
    ] {
        signoffs::sign(
            &state,
            &admin,
            ids[1].into(),
            item,
            SignoffAction::Done,
            "now",
        )
        .await
        .unwrap();
    }
    let kept = readiness_trend(&state, &admin, None, &q).await.unwrap();
    assert_ne!(kept.last(), first.last(), "today's point moved");
    assert_eq!(kept[..kept.len() - 1], first[..first.len() - 1]);
    assert_eq!(kept, fresh(state.clone(), admin.clone()).await);

    // A row dated five days ago changes those days: the kept ones go.
    let _ = readiness_trend(&state, &admin, None, &q).await.unwrap();
    append_dated(
        &state,
        now - chrono::Duration::days(5),
        ids[1],
        "centralized-logs",
    )
    .await;
    let after = readiness_trend(&state, &admin, None, &q).await.unwrap();
    assert_ne!(after, kept, "the back-dated row shows");
    assert_eq!(after, fresh(state.clone(), admin.clone()).await);
}
