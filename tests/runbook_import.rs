//! `shipshape runbook import` and `shipshape runbook diff` with the real
//! binary: the team's Markdown runbook becomes a runbook file the server
//! runs on, and a diff names what an edit changed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test: failing loudly is its job

mod support;

use serde_json::Value;
use std::path::Path;
use support::*;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../runbooks/sources/runbook.md"
);
const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../runbooks/trino-production.toml"
);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    cli(dir, args, &[])
}

#[tokio::test]
async fn the_seed_imports_checks_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("imported.toml");
    let out = run(
        dir.path(),
        &["runbook", "import", SEED, "-o", path_str(&out_file)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!(
            "imported {SEED} into {}: runbook trino-production-readiness-runbook-detailed, 8 sections, 33 items (24 checklist, 9 day-2 tasks)",
            out_file.display()
        )
    );
    let written = std::fs::read_to_string(&out_file).unwrap();

    // Without -o the same TOML goes to stdout.
    let printed = run(dir.path(), &["runbook", "import", SEED]);
    assert_eq!(printed.status.code(), Some(0));
    assert_eq!(text(&printed.stdout), written);

    let check = run(dir.path(), &["runbook", "check", path_str(&out_file)]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert_eq!(
        text(&check.stdout).trim(),
        "runbook trino-production-readiness-runbook-detailed ok: 8 sections, 33 items (24 checklist, 9 recurring)"
    );

    let s = Server::start_with(dir.path(), &["--runbook", path_str(&out_file)]);
    let admin = setup_admin(&s).await;
    let id = create_cluster(&s, &admin, "imported").await;
    let c: Value = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/checklist"))).await;
    assert_eq!(
        c["runbook_id"],
        "trino-production-readiness-runbook-detailed"
    );
    let items: Vec<&Value> = c["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    assert!(
        items.iter().any(|i| i["id"] == "coordinator-isolation"),
        "{c}"
    );
    let r = admin
        .post(s.url(&format!(
            "/api/v1/clusters/{id}/items/coordinator-isolation/signoffs"
        )))
        .json(&serde_json::json!({"status": "done", "note": "imported runbook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let tasks: Vec<Value> = get_json(&admin, s.url(&format!("/api/v1/clusters/{id}/tasks"))).await;
    assert_eq!(tasks.len(), 9, "every Day-2 task of the import");
    let failed = tasks
        .iter()
        .find(|t| t["id"] == "top-failed-queries")
        .unwrap();
    assert_eq!(failed["cadence"], "weekly");
}

#[test]
fn diff_of_the_shipped_runbook_and_an_edited_import_lists_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(SEED).unwrap();
    let removed = "- [ ] **Audit**  \n  Event listener → DB.  \n  Verify: `trino_queries` table updates per query.\n\n";
    assert!(seed.contains(removed));
    let edited = seed
        .replace(removed, "")
        .replace("max-spill-per-node=200GB", "max-spill-per-node=500GB")
        .replace(
            "## 4. Observability & Monitoring\n",
            "## 4. Observability & Monitoring\n\n- [ ] **Query history retention**  \n  Config: `query.max-history=1000`  \n  Why: Finished queries stay visible for debugging.\n",
        );
    let md = dir.path().join("runbook.md");
    std::fs::write(&md, edited).unwrap();
    let new = dir.path().join("new.toml");
    let out = run(
        dir.path(),
        &[
            "runbook",
            "import",
            path_str(&md),
            "--base",
            SHIPPED,
            "-o",
            path_str(&new),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("runbook trino-production, 8 sections, 33 items"),
        "{}",
        text(&out.stdout)
    );

    let diff = run(dir.path(), &["runbook", "diff", SHIPPED, path_str(&new)]);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    let listing = text(&diff.stdout);
    for line in [
        "+ query-history-retention \"Query history retention\" (section observability)\n",
        "- audit \"Audit\" (section security)\n",
        "- worker-graceful-shutdown \"Worker graceful shutdown period\" (section graceful-shutdown)\n",
        "- section graceful-shutdown \"Graceful shutdown\"\n",
        "~ spill \"Enable spill\"\n",
        "~ file-formats \"File formats\"\n    title: \"File formats and compaction\" → \"File formats\"\n",
        "items: 1 added, 8 removed, ",
    ] {
        assert!(listing.contains(line), "{line:?} missing in:\n{listing}");
    }
    // Kept from the base: the check of "spill" is unchanged.
    let spill = listing
        .split("~ spill \"Enable spill\"\n")
        .nth(1)
        .and_then(|rest| rest.split("\n~ ").next())
        .unwrap_or_default();
    assert!(spill.contains("config changed"), "{spill}");
    assert!(!spill.contains("check"), "{spill}");
    assert!(
        text(&diff.stderr).contains("differ: items: 1 added, 8 removed"),
        "{}",
        text(&diff.stderr)
    );

    let same = run(
        dir.path(),
        &["runbook", "diff", path_str(&new), path_str(&new)],
    );
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(text(&same.stdout), "no differences\n");
}

#[test]
fn import_and_diff_errors_name_the_file_and_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, "# T\n\n- [ ] **Orphan**\n").unwrap();
    let out = run(dir.path(), &["runbook", "import", path_str(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        format!("error: {}:3: item before any ## section", bad.display())
    );
    assert!(out.stdout.is_empty());

    std::fs::write(&bad, "## S\n- [ ] **A**\n  Config:\n").unwrap();
    let out_file = dir.path().join("never.toml");
    let out = run(
        dir.path(),
        &[
            "runbook",
            "import",
            path_str(&bad),
            "-o",
            path_str(&out_file),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!(
            "{}:3: Config: with nothing after it",
            bad.display()
        )),
        "{}",
        text(&out.stderr)
    );
    assert!(!out_file.exists(), "nothing is written on an error");

    let missing = run(
        dir.path(),
        &["runbook", "import", "/nonexistent/runbook.md"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/nonexistent/runbook.md"));

    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "id = \"x\"\ntitle = \"X\"\n[[section]]\nid = \"Bad Id\"\ntitle = \"S\"\n",
    )
    .unwrap();
    let diff = run(dir.path(), &["runbook", "diff", SHIPPED, path_str(&broken)]);
    assert_eq!(diff.status.code(), Some(2));
    assert!(
        text(&diff.stderr).contains(&format!("{}:4:", broken.display())),
        "{}",
        text(&diff.stderr)
    );
    let base = run(
        dir.path(),
        &["runbook", "import", SEED, "--base", path_str(&broken)],
    );
    assert_eq!(base.status.code(), Some(2));
    assert!(
        text(&base.stderr).contains(&format!("{}:4:", broken.display())),
        "{}",
        text(&base.stderr)
    );
}
