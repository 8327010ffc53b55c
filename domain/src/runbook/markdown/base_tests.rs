//! `--base`: the base file is updated in place, its comments, key order and
//! formatting kept; the written TOML is exact for the seed.

use super::*;

const SEED: &str = include_str!("../../../../runbooks/sources/runbook.md");

/// The seed's import as the hand-written emitter wrote it, byte for byte.
const SEED_TOML: &str = include_str!("golden/runbook.toml");

const BASE: &str = r#"# Our runbook: edited by hand, kept by imports.
title = "Ours"
id = "ours"

# --- the first section ---
[[section]]
title = "Checks"   # renamed freely
id = "checks"
summary = "Kept when the Markdown has none."

# Spill matters most.
[[section.item]]
title = "Enable spill"
# The id keys the sign-off history.
id = "spill"
kind = "checklist"
check = { kind = "sql", query = "SHOW SESSION LIKE 'spill_enabled'", expect = "equals", column = 2, value = "true" }
source = "Runbook §1"
why = "Old reason."  # replaced by the import
valid_for_days = 30
correction = 'A hand-written correction.'

[[section.item]]
id = "gone"
title = "Gone"
kind = "checklist"
source = "x"
why = "Not in the Markdown any more."
"#;

const MD: &str = "# Ours\n\
    ## Checks\n\
    - [ ] **Enable spill**\n\
    \x20 Config: `spill-enabled=true`\n\
    \x20 Why: Queries larger than memory succeed.\n\
    - [ ] **New item**\n";

fn merged(md: &str, base: &str) -> Imported {
    let base = BaseFile {
        name: "ours.toml",
        text: base,
    };
    import_markdown("team.md", md, Some(base)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_base_keeps_its_comments_key_order_and_formatting() {
    let imported = merged(MD, BASE);
    let expected = r#"# Our runbook: edited by hand, kept by imports.
title = "Ours"
id = "ours"

# --- the first section ---
[[section]]
title = "Checks"   # renamed freely
id = "checks"
summary = "Kept when the Markdown has none."

# Spill matters most.
[[section.item]]
title = "Enable spill"
# The id keys the sign-off history.
id = "spill"
kind = "checklist"
check = { kind = "sql", query = "SHOW SESSION LIKE 'spill_enabled'", expect = "equals", column = 2, value = "true" }
source = "team.md, Checks"
config = "spill-enabled=true"
config_lang = "properties"
why = "Queries larger than memory succeed."  # replaced by the import
valid_for_days = 30
correction = 'A hand-written correction.'

[[section.item]]
id = "new-item"
title = "New item"
kind = "checklist"
source = "team.md, Checks"
why = "No reason given in team.md, Checks."
"#;
    assert_eq!(imported.toml, expected);
    assert_eq!(imported.runbook.id, "ours");
}

#[test]
fn merging_again_changes_nothing() {
    let once = merged(MD, BASE);
    let twice = merged(MD, &once.toml);
    assert_eq!(twice.toml, once.toml);
    let seed_once = import_markdown(
        "runbook.md",
        SEED,
        Some(BaseFile {
            name: "trino-production.toml",
            text: crate::runbook::BUILTIN_RUNBOOK,
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let seed_twice = import_markdown(
        "runbook.md",
        SEED,
        Some(BaseFile {
            name: "merged.toml",
            text: &seed_once.toml,
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seed_twice.toml, seed_once.toml);
}

#[test]
fn a_base_written_by_the_importer_is_updated_as_written() {
    // The plain import as base: the same Markdown gives the same text back.
    let plain = import_markdown("runbook.md", SEED, None).unwrap_or_else(|e| panic!("{e}"));
    let base = BaseFile {
        name: "runbook.toml",
        text: &plain.toml,
    };
    let again = import_markdown("runbook.md", SEED, Some(base)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.toml, plain.toml);
}

#[test]
fn moved_and_new_sections_and_items_come_in_the_markdown_order() {
    let md =
        "## New first\n- [ ] **Fresh**\n- [ ] **Enable spill**\n## Checks\n- [ ] **New item**\n";
    let imported = merged(md, BASE);
    let rb = &imported.runbook;
    let ids: Vec<&str> = rb.items().map(|(_, i)| i.id.as_str()).collect();
    assert_eq!(ids, ["fresh", "spill", "new-item"]);
    let sections: Vec<&str> = rb.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(sections, ["new-first", "checks"]);
    let rule = "# ---------------------------------------------------------------------------";
    assert!(imported
        .toml
        .contains(&format!("\n{rule}\n[[section]]\nid = \"new-first\"\n")));
    // The spill table moved into the new section with its comments and check.
    let spill =
        "\n# Spill matters most.\n[[section.item]]\ntitle = \"Enable spill\"\n# The id keys";
    let new_item = "\n[[section.item]]\nid = \"new-item\"";
    let checks = "\n# --- the first section ---\n[[section]]\ntitle = \"Checks\"";
    let at = |s: &str| imported.toml.find(s);
    assert!(
        at(spill) < at(checks) && at(checks) < at(new_item),
        "{}",
        imported.toml
    );
    assert!(at(spill).is_some(), "{}", imported.toml);
    assert!(rb
        .item("spill")
        .is_some_and(|i| i.check.is_some() && i.valid_for_days == Some(30)));
    assert!(!imported.toml.contains("gone"));
}

#[test]
fn the_seed_imports_to_the_same_toml_as_before() {
    let imported = import_markdown("runbooks/sources/runbook.md", SEED, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.toml, SEED_TOML);
}
