use super::*;
use crate::runbook::{builtin_runbook, diff_runbooks, Cadence, Item, BUILTIN_RUNBOOK};

const SEED: &str = include_str!("../../../../runbooks/sources/runbook.md");
const SEED_NAME: &str = "runbooks/sources/runbook.md";

fn import(md: &str) -> Imported {
    match import_markdown("team.md", md, None) {
        Ok(i) => i,
        Err(e) => panic!("import failed: {e}"),
    }
}

fn seed() -> Imported {
    match import_markdown(SEED_NAME, SEED, None) {
        Ok(i) => i,
        Err(e) => panic!("the seed does not import: {e}"),
    }
}

fn err(md: &str) -> ImportError {
    match import_markdown("bad.md", md, None) {
        Ok(i) => panic!("should be rejected, got:\n{}", i.toml),
        Err(e) => e,
    }
}

fn item<'a>(rb: &'a Runbook, id: &str) -> &'a Item {
    rb.item(id)
        .unwrap_or_else(|| panic!("no item '{id}' in {:?}", ids(rb)))
}

fn ids(rb: &Runbook) -> Vec<&str> {
    rb.items().map(|(_, i)| i.id.as_str()).collect()
}

/// Everything an item carries, as one string.
fn item_text(i: &Item) -> String {
    let mut t = vec![i.title.clone(), i.why.clone()];
    if let Some(c) = &i.config {
        t.push(c.text.clone());
    }
    t.extend(i.verify.iter().cloned());
    t.join("\n")
}

/// The seed's fenced blocks (each line without the fence's indentation) and
/// the code spans outside them, as written.
fn seed_code() -> (Vec<String>, Vec<String>) {
    let mut fenced = Vec::new();
    let mut in_fence = false;
    for line in SEED.lines() {
        if line.trim().starts_with("```") {
            in_fence = !in_fence;
        } else if in_fence {
            fenced.push(line.strip_prefix("  ").unwrap_or(line).to_string());
        }
    }
    let spans = pulldown_cmark::Parser::new(SEED)
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, pulldown_cmark::Event::Code(_)))
        .map(|(_, r)| SEED[r].to_string())
        .collect();
    (fenced, spans)
}

#[test]
fn the_seed_imports_all_its_items_sections_and_day2_tasks() {
    let rb = seed().runbook;
    // 24 checklist items in sections 1-7, 9 Day-2 tasks in section 8.
    let task_lines = SEED.lines().filter(|l| l.starts_with("- [ ] ")).count();
    assert_eq!(task_lines, 33);
    assert_eq!(rb.item_count(), 33, "{:?}", ids(&rb));
    assert_eq!(rb.title, "Trino Production Readiness Runbook Detailed ✅");
    assert_eq!(rb.id, "trino-production-readiness-runbook-detailed");
    let sections: Vec<(&str, &str, usize)> = rb
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str(), s.items.len()))
        .collect();
    assert_eq!(
        sections,
        [
            ("reliability-stability", "Reliability & Stability", 4),
            ("performance-capacity", "Performance & Capacity", 4),
            ("security-governance", "Security & Governance", 4),
            ("observability-monitoring", "Observability & Monitoring", 3),
            (
                "operations-change-management",
                "Operations & Change Management",
                3
            ),
            ("sql-workload-hygiene", "SQL & Workload Hygiene", 3),
            (
                "version-dependency-management",
                "Version & Dependency Management",
                3
            ),
            ("day-2-operations", "Day-2 Operations", 9),
        ]
    );
    for (n, section) in rb.sections.iter().enumerate() {
        for i in &section.items {
            let source = &i.source;
            assert!(
                source.starts_with(&format!("runbook.md §{} ", n + 1))
                    || *source == format!("runbook.md §{}", n + 1),
                "{source}"
            );
        }
    }
    let day2: Vec<(&str, Option<Cadence>, &str)> = rb
        .items()
        .filter(|(_, i)| i.is_recurring())
        .map(|(_, i)| (i.title.as_str(), i.cadence(), i.source.as_str()))
        .collect();
    let weekly = "runbook.md §8 Weekly Health Check";
    let monthly = "runbook.md §8 Monthly Review";
    let quarterly = "runbook.md §8 Quarterly Drills";
    assert_eq!(
        day2,
        [
            ("Top failed queries", Some(Cadence::Weekly), weekly),
            ("Top memory-heavy queries", Some(Cadence::Weekly), weekly),
            ("Peak concurrency trend", Some(Cadence::Weekly), weekly),
            (
                "Iceberg file size distribution",
                Some(Cadence::Monthly),
                monthly
            ),
            ("Spill disk usage", Some(Cadence::Monthly), monthly),
            ("Resource group fairness", Some(Cadence::Monthly), monthly),
            (
                "Upgrade + rollback test in staging",
                Some(Cadence::Quarterly),
                quarterly
            ),
            ("DR restore test", Some(Cadence::Quarterly), quarterly),
            (
                "Secret & TLS cert rotation",
                Some(Cadence::Quarterly),
                quarterly
            ),
        ]
    );
    let checklist: Vec<&str> = rb
        .items()
        .filter(|(_, i)| !i.is_recurring())
        .map(|(_, i)| i.title.as_str())
        .collect();
    assert_eq!(checklist.len(), 24);
    assert!(checklist.contains(&"Ban SELECT *"), "{checklist:?}");
    assert!(checklist.contains(&"S3/HDFS connections"));
}

#[test]
fn the_seed_output_passes_parse_runbook_and_reads_well() {
    let imported = seed();
    let parsed = parse_runbook("imported.toml", &imported.toml);
    assert_eq!(parsed.as_ref().ok(), Some(&imported.runbook));
    assert!(imported.toml.contains("\n[[section]]\n"));
    assert!(imported.toml.contains("\n[[section.item]]\n"));
    assert!(imported
        .toml
        .starts_with("# Imported from runbook.md by `shipshape runbook import`."));
    // Multi-line config stays a readable block.
    assert!(
        imported.toml.contains(
            "config = \"\"\"\nspill-enabled=true\nspiller-spill-path=/nvme/trino-spill\nmax-spill-per-node=200GB\n\"\"\"\nconfig_lang = \"properties\""
        ),
        "{}",
        imported.toml
    );
}

#[test]
fn every_code_span_and_fenced_line_of_the_seed_is_kept_verbatim() {
    let rb = seed().runbook;
    let text: Vec<String> = rb.items().map(|(_, i)| item_text(i)).collect();
    let text = text.join("\n");
    let configs: Vec<&str> = rb
        .items()
        .filter_map(|(_, i)| i.config.as_ref().map(|c| c.text.as_str()))
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    let (fenced, spans) = seed_code();
    assert_eq!(fenced.len(), 26, "{fenced:?}");
    for line in &fenced {
        assert!(lines.contains(&line.as_str()), "fenced line {line:?} lost");
    }
    assert_eq!(spans.len(), 23, "{spans:?}");
    for span in &spans {
        let inner = span.trim_matches('`');
        assert!(
            text.contains(span.as_str()) || configs.contains(&inner),
            "code span {span} lost"
        );
    }
}

#[test]
fn items_map_config_why_and_verify() {
    let rb = seed().runbook;
    let c = item(&rb, "coordinator-isolation");
    let config = c
        .config
        .as_ref()
        .map(|s| (s.lang.as_str(), s.text.as_str()));
    assert_eq!(
        config,
        Some(("properties", "node-scheduler.include-coordinator=false"))
    );
    assert_eq!(c.why, "Keeps coordinator lightweight.");
    assert_eq!(
        c.verify,
        ["`SELECT * FROM system.runtime.nodes;` → coordinator has no splits."]
    );
    assert_eq!(c.source, "runbook.md §1");

    let spill = item(&rb, "enable-spill");
    assert_eq!(
        spill.config.as_ref().map(|s| s.lang.as_str()),
        Some("properties")
    );
    assert_eq!(
        spill.verify,
        ["`jmx:trino.execution:name=TaskExecutor.spilledDataSize` > 0 when spilling."]
    );

    // No Why: and no other text: a filler that invents nothing.
    let memory = item(&rb, "memory-guardrails");
    assert_eq!(memory.why, "No reason given in runbook.md §1.");
    assert_eq!(
        memory.verify,
        ["`system.runtime.queries` → `memory_reservation` < limits."]
    );

    // Example: and plain lines are kept, in order, as the why.
    let groups = item(&rb, "resource-groups");
    assert_eq!(
        groups
            .config
            .as_ref()
            .map(|s| (s.lang.as_str(), s.text.as_str())),
        Some(("text", "etc/resource-groups.json"))
    );
    assert_eq!(groups.why, "Example: ETL 40%, BI 20%, Ad-hoc 10%.");

    let formats = item(&rb, "file-formats");
    assert_eq!(
        formats.why,
        "Use Iceberg + Parquet + ZSTD.\nCompact small files daily:"
    );
    assert_eq!(
        formats
            .config
            .as_ref()
            .map(|s| (s.lang.as_str(), s.text.as_str())),
        Some((
            "sql",
            "CALL system.rewrite_table('iceberg.prod.large_table', 'REWRITE_DATA');"
        ))
    );

    let prom = item(&rb, "prometheus-grafana");
    assert!(prom
        .why
        .contains("- QPS (`trino_execution_query_started_total`)\n- Running vs queued"));

    let upgrade = item(&rb, "upgrade-playbook");
    assert_eq!(
        upgrade.why,
        "1. Upgrade coordinator first.\n2. Roll workers one by one.\n3. Monitor regressions.\nRollback: keep previous tarball."
    );
    assert_eq!(
        item(&rb, "worker-node-loss").verify,
        ["Verify via `system.runtime.nodes`."]
    );
    assert_eq!(item(&rb, "ban-select").title, "Ban SELECT *");
    assert_eq!(
        item(&rb, "centralized-logs")
            .config
            .as_ref()
            .map(|s| s.lang.as_str()),
        Some("properties")
    );

    let failed = item(&rb, "top-failed-queries");
    assert_eq!(failed.config.as_ref().map(|s| s.lang.as_str()), Some("sql"));
    assert!(failed.config.as_ref().is_some_and(|s| s
        .text
        .starts_with("SELECT error_type, error_code, COUNT(*)\nFROM")));
    assert_eq!(
        failed.why,
        "No reason given in runbook.md §8 Weekly Health Check."
    );
    assert_eq!(
        item(&rb, "iceberg-file-size-distribution").verify,
        ["run `SHOW STATS` and check small file counts."]
    );
    assert!(item(&rb, "secret-tls-cert-rotation").verify.is_empty());
}

#[test]
fn merging_with_the_shipped_runbook_keeps_its_ids_and_checks() {
    let base = BaseFile {
        name: "runbooks/trino-production.toml",
        text: BUILTIN_RUNBOOK,
    };
    let imported = match import_markdown(SEED_NAME, SEED, Some(base)) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let shipped = builtin_runbook().unwrap();
    let rb = &imported.runbook;
    assert_eq!(rb.id, "trino-production");
    assert_eq!(rb.item_count(), 33);
    // Every seed item is in the shipped runbook, by slug or by title.
    let renamed = [
        ("Enable spill", "spill"),
        ("S3/HDFS connections", "s3-connections"),
        ("Ban SELECT *", "ban-select-star"),
        ("Top failed queries", "weekly-failed-queries"),
        ("DR restore test", "quarterly-dr-restore"),
    ];
    for (title, id) in renamed {
        assert_eq!(
            rb.items()
                .find(|(_, i)| i.title == title)
                .map(|(_, i)| i.id.as_str()),
            Some(id)
        );
    }
    for (_, i) in rb.items() {
        let Some(old) = shipped.item(&i.id) else {
            panic!("'{}' ({}) kept no shipped id", i.id, i.title);
        };
        assert_eq!(i.check, old.check, "{}", i.id);
        assert_eq!(i.valid_for_days, old.valid_for_days, "{}", i.id);
        assert_eq!(i.correction, old.correction, "{}", i.id);
        assert_eq!(i.evidence_query, old.evidence_query, "{}", i.id);
        assert_eq!(i.kind, old.kind, "{}", i.id);
    }
    assert!(item(rb, "spill").check.is_some());
    assert_eq!(item(rb, "backups").valid_for_days, Some(30));
    // Sections keep the shipped ids by title, and their summaries.
    let section_ids: Vec<&str> = rb.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        section_ids,
        [
            "reliability",
            "performance",
            "security",
            "observability",
            "operations",
            "workload-hygiene",
            "versions",
            "day2"
        ]
    );
    assert!(rb.sections.iter().all(|s| s.summary.is_some()));

    // The kept values are the base's TOML values, untouched.
    let out: toml::Table = toml::from_str(&imported.toml).unwrap();
    let base: toml::Table = toml::from_str(BUILTIN_RUNBOOK).unwrap();
    let raw_items = |t: &toml::Table| -> Vec<toml::Table> {
        t["section"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["item"].as_array().unwrap().iter())
            .map(|i| i.as_table().unwrap().clone())
            .collect()
    };
    let base_items = raw_items(&base);
    let mut kept = 0;
    for i in raw_items(&out) {
        let b = base_items.iter().find(|b| b["id"] == i["id"]).unwrap();
        for key in KEPT_KEYS {
            assert_eq!(i.get(*key), b.get(*key), "{} {key}", i["id"]);
            kept += usize::from(i.contains_key(*key));
        }
    }
    assert!(kept > 20, "{kept}");
    // A kept check is the base's line, as written there.
    let check = "\ncheck = { kind = \"sql\", query = \"SHOW SESSION LIKE 'spill_enabled'\", expect = \"equals\", column = 2, value = \"true\" }\n";
    assert!(BUILTIN_RUNBOOK.contains(check));
    assert!(imported.toml.contains(check), "{}", imported.toml);
    // So are the base's comments, its header first.
    assert!(imported
        .toml
        .starts_with("# Shipshape runbook: Trino production readiness.\n"));

    // Diffing the shipped runbook against the merged import: the seven
    // graceful-shutdown items are not in the seed, nothing is added.
    let d = diff_runbooks(&shipped, rb);
    assert!(d.added.is_empty(), "{d}");
    assert_eq!(d.removed.len(), 7, "{d}");
    assert!(d.removed.iter().all(|r| r.section == "graceful-shutdown"));
}

#[test]
fn a_base_id_is_kept_by_title_only_when_free() {
    let base = "id = \"mine\"\ntitle = \"Mine\"\n[[section]]\nid = \"s\"\ntitle = \"S\"\n\
        [[section.item]]\nid = \"spill\"\ntitle = \"Enable spill\"\nkind = \"checklist\"\nwhy = \"w\"\nsource = \"x\"\nvalid_for_days = 30\n\
        check = { kind = \"sql\", query = \"SELECT 1\", expect = \"at_least\", value = 1 }\n\
        [[section.item]]\nid = \"tls\"\ntitle = \"TLS\"\nkind = \"checklist\"\nwhy = \"w\"\nsource = \"x\"\n";
    let md = "## S\n- [ ] **ENABLE SPILL**\n- [ ] **Spill**\n- [ ] **TLS settings**\n### Weekly\n- [ ] Tls\n";
    let imported = import_markdown(
        "m.md",
        md,
        Some(BaseFile {
            name: "b.toml",
            text: base,
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rb = imported.runbook;
    // "ENABLE SPILL" would take "spill" by title, but "Spill" slugs to it:
    // a match by id wins, and ids stay unique.
    assert_eq!(ids(&rb), ["enable-spill", "spill", "tls-settings", "tls"]);
    // The matched-by-id item keeps the check and validity; the Day-2 task
    // that took "tls" by title has no validity period to keep.
    assert!(item(&rb, "spill").check.is_some());
    assert_eq!(item(&rb, "spill").valid_for_days, Some(30));
    assert_eq!(item(&rb, "tls").cadence(), Some(Cadence::Weekly));
    assert_eq!(rb.id, "mine");
    assert_eq!(rb.sections[0].id, "s");

    // A day2 task matched to a checklist item with valid_for_days drops it.
    let md = "## S\n### Monthly\n- [ ] Enable spill\n";
    let imported = import_markdown(
        "m.md",
        md,
        Some(BaseFile {
            name: "b.toml",
            text: base,
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(item(&imported.runbook, "spill").valid_for_days, None);
    assert!(item(&imported.runbook, "spill").check.is_some());
}

#[test]
fn a_bad_base_is_reported_with_its_file_and_line() {
    let e = import_markdown(
        "m.md",
        "## S\n- [ ] **A**\n",
        Some(BaseFile {
            name: "old.toml",
            text: "id = \"x\"\ntitle = \"X\"\n[[section]]\nid = \"Bad Id\"\ntitle = \"S\"\n",
        }),
    )
    .unwrap_err();
    assert_eq!(e.file, "old.toml");
    assert_eq!(e.line, 4, "{e}");
}

/// The seed with one item removed, one added and one changed.
fn edited_seed() -> String {
    let removed = "- [ ] **Audit**  \n  Event listener → DB.  \n  Verify: `trino_queries` table updates per query.\n\n";
    assert!(SEED.contains(removed));
    let changed = "max-spill-per-node=200GB";
    assert!(SEED.contains(changed));
    SEED.replace(removed, "")
        .replace(changed, "max-spill-per-node=500GB")
        .replace(
            "## 4. Observability & Monitoring\n",
            "## 4. Observability & Monitoring\n\n- [ ] **Query history retention**  \n  Config: `query.max-history=1000`  \n  Why: Finished queries stay visible for debugging.\n",
        )
}

#[test]
fn an_edited_copy_imports_and_diffs_as_expected() {
    let old = seed().runbook;
    let new = import_markdown(SEED_NAME, &edited_seed(), None)
        .unwrap_or_else(|e| panic!("{e}"))
        .runbook;
    assert_eq!(new.item_count(), 33);
    let d = diff_runbooks(&old, &new);
    let added: Vec<&str> = d.added.iter().map(|i| i.id.as_str()).collect();
    let removed: Vec<&str> = d.removed.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(added, ["query-history-retention"]);
    assert_eq!(removed, ["audit"]);
    assert_eq!(d.changed.len(), 1, "{d}");
    assert_eq!(d.changed[0].id, "enable-spill");
    let fields: Vec<&str> = d.changed[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["config"]);
    let text = d.to_string();
    assert!(text.contains("+ query-history-retention \"Query history retention\" (section observability-monitoring)"), "{text}");
    assert!(
        text.contains("- audit \"Audit\" (section security-governance)"),
        "{text}"
    );
    assert!(
        text.contains("~ enable-spill \"Enable spill\"\n    config changed"),
        "{text}"
    );
    assert!(
        text.ends_with("items: 1 added, 1 removed, 1 changed\n"),
        "{text}"
    );
}

#[test]
fn malformed_markdown_names_the_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("# T\n\n- [ ] **A**\n", 3, "item before any ## section"),
        (
            "# T\n## S\n- [ ] **A**\n  ```sql\n  SELECT 1\n",
            4,
            "unterminated code block",
        ),
        ("## S\n- [ ] **A**\n- [ ] ****\n", 3, "empty item title"),
        ("## S\n- [ ]\n", 2, "empty item title"),
        (
            "## S\n- [ ] **A**\n  Config:\n  Why: because\n",
            3,
            "Config: with nothing after it",
        ),
        (
            "## S\n- [ ] **A**\n  Config:\n",
            3,
            "Config: with nothing after it",
        ),
        (
            "## S\n- [ ] **A**\n  Config:  \n\n- [ ] **B**\n",
            3,
            "Config: with nothing after it",
        ),
        // A fence ends with its list item: it does not run on into the next.
        (
            "## S\n- [ ] **A**\n  ```ini\n  a=1\n- [ ] **B**\n  ```ini\n  b=2\n  ```\n",
            3,
            "unterminated code block: no closing ``` after this line",
        ),
        // CommonMark reads these lines as a setext heading in the item.
        (
            "## S\n- [ ] **A**\n  Config:\n  ---\n",
            3,
            "Config: with nothing after it",
        ),
        (
            "## S\n- [ ] **A**\n  Why:\n  Verify: x\n",
            3,
            "Why: with nothing after it",
        ),
        (
            "## S\n- [ ] **A**\n  Check:\n",
            3,
            "Check: with nothing after it",
        ),
        (
            "## S\n- [ ] **A**\n\n### Daily checks\n- [ ] B\n",
            4,
            "unknown Day-2 cadence 'Daily'",
        ),
        (
            "### Weekly\n- [ ] B\n",
            1,
            "### subsection before any ## section",
        ),
        ("# T\n\nJust prose.\n\n## S\n\nMore prose.\n", 1, "no items"),
        ("", 1, "no items"),
        (
            "## S\n- [ ] **A**\n## Empty\nnothing here\n",
            3,
            "section 'Empty' has no items",
        ),
        (
            "## S\n- [ ] **A**\n  Config: `a=1`\n  Config: `b=2`\n",
            4,
            "a second config",
        ),
        ("# T\n## S\n- [ ] **A**\n# U\n", 4, "a second # title"),
        ("## S\n- [ ] **A**\n  ```\n  ```\n", 3, "empty code block"),
        ("##\n- [ ] **A**\n", 1, "empty ## section title"),
    ];
    for (md, line, message) in cases {
        let e = err(md);
        assert_eq!(e.line, *line, "{md:?}: {e}");
        assert!(e.message.contains(message), "{md:?}: {e}");
        assert_eq!(e.to_string(), format!("bad.md:{line}: {}", e.message));
    }
}

#[test]
fn fences_labels_and_lists_in_other_shapes() {
    let md = "# Ops\n\
        ## Checks\n\
        Things we check.\n\
        - [x] __Tilde fence__ — with a note\n\
        \x20 Config:\n\
        \x20 ~~~~yaml\n\
        \x20 a: 1\n\
        \x20   b: \"two\"\n\
        \x20 ~~~~\n\
        \x20 Verify:\n\
        \x20 - first step\n\
        \x20 - second step\n\
        \n\
        \x20 Afterwards a note.\n\
        #### Details\n\
        \x20 ```sql\n\
        \x20 SELECT 2\n\
        \x20 ```\n\
        - [ ] Plain title: the rest\n\
        - [ ] Plain title\n\
        \x20 CONFIG: `SELECT 1`\n\
        \x20 why: lower-case labels work\n";
    let rb = import(md).runbook;
    assert_eq!(rb.title, "Ops");
    assert_eq!(rb.sections[0].summary.as_deref(), Some("Things we check."));
    let a = item(&rb, "tilde-fence");
    assert_eq!(
        a.config
            .as_ref()
            .map(|s| (s.lang.as_str(), s.text.as_str())),
        Some(("yaml", "a: 1\n  b: \"two\""))
    );
    assert_eq!(a.verify, ["first step", "second step", "SELECT 2"]);
    assert_eq!(a.why, "with a note\nAfterwards a note.\n#### Details");
    assert_eq!(a.source, "team.md, Checks");
    let b = item(&rb, "plain-title");
    assert_eq!(b.why, "the rest");
    let c = item(&rb, "plain-title-2");
    assert_eq!(
        c.config
            .as_ref()
            .map(|s| (s.lang.as_str(), s.text.as_str())),
        Some(("sql", "SELECT 1"))
    );
    assert_eq!(c.why, "lower-case labels work");
}

#[test]
fn slugs_are_stable_short_and_unique() {
    assert_eq!(slug("Reliability & Stability"), "reliability-stability");
    assert_eq!(slug("  S3/HDFS connections "), "s3-hdfs-connections");
    assert_eq!(slug("Ban SELECT *"), "ban-select");
    assert_eq!(slug("✅ ✅"), "");
    let long = "word ".repeat(30);
    let s = slug(&long);
    assert!(s.len() <= 64 && !s.ends_with('-'), "{s}");
    let mut used = HashSet::new();
    assert_eq!(unique("a", "item", &mut used), "a");
    assert_eq!(unique("a", "item", &mut used), "a-2");
    assert_eq!(unique("a", "item", &mut used), "a-3");
    assert_eq!(unique("", "item", &mut used), "item");
    let max = "x".repeat(64);
    assert_eq!(unique(&max, "item", &mut used), max);
    let second = unique(&max, "item", &mut used);
    assert!(second.len() <= 64 && second.ends_with("-2"), "{second}");

    let md = "## S\n- [ ] **Same**\n- [ ] **same**\n## S\n- [ ] **SAME!**\n";
    let rb = import(md).runbook;
    assert_eq!(ids(&rb), ["same", "same-2", "same-3"]);
    assert_eq!(rb.sections[1].id, "s-2");
}

#[test]
fn emitted_strings_parse_back_to_the_same_text() {
    let samples = [
        "plain",
        "",
        "quote \" and \"\"\" triple and ends with \"",
        "back\\slash \\n not a newline, \\\\ two",
        "tab\there, CR\r, bell\u{7}, del\u{7f}, nul\u{0}",
        "line one\nline two\n\n  indented line four\n",
        "\nstarts with a newline",
        "ends with a backslash \\",
        "ünïcødé → ✅ and 😀",
        &"a long sentence of words that keeps going ".repeat(8),
        &format!("{}  double  spaces  {}", "x".repeat(85), "y ".repeat(60)),
        &format!("{} \\", "w ".repeat(60)),
        &"nospaces".repeat(30),
    ];
    for s in samples {
        for (style, value) in [
            ("one_line", values::one_line(s)),
            ("code", values::code(s)),
            ("prose", values::prose(s)),
            ("block", values::block(s)),
        ] {
            let text = value.to_string();
            let doc = format!("v = {text}\n");
            let table: toml::Table = toml::from_str(&doc)
                .unwrap_or_else(|e| panic!("{style} of {s:?} does not parse: {e}\n{doc}"));
            let back = table["v"].as_str().unwrap_or_default();
            // A block ends its last line before the closing quotes; the parser
            // trims config and verify steps.
            let back = if style == "block" && s.contains('\n') && !s.ends_with('\n') {
                back.strip_suffix('\n').unwrap_or(back)
            } else {
                back
            };
            assert_eq!(back, s, "{style}:\n{doc}");
        }
    }
    // Long prose is wrapped, and only prose.
    let long = "word ".repeat(40);
    assert!(values::prose(long.trim()).to_string().contains("\\\n"));
    assert!(!values::code(long.trim()).to_string().contains('\n'));
}

#[test]
fn cut_and_damaged_copies_of_the_seed_never_panic() {
    let lines: Vec<&str> = SEED.lines().collect();
    let mut imported = 0;
    for n in 0..lines.len() {
        let prefix = lines[..n].join("\n");
        let without = [&lines[..n], &lines[n + 1..]].concat().join("\r\n");
        let mangled = SEED.replacen(lines[n], &lines[n].replace(['*', '`', ':'], "\u{e9}"), 1);
        for md in [prefix, without, mangled] {
            // Ok means it also passed parse_runbook; Err must name a line.
            match import_markdown("cut.md", &md, None) {
                Ok(_) => imported += 1,
                Err(e) => assert!(e.line >= 1 && e.line <= md.lines().count().max(1), "{e}"),
            }
        }
    }
    assert!(imported > lines.len(), "{imported}");
}
