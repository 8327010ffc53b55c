//! Exporting the ledger for auditors: the filters an export takes, and how
//! a row is written as CSV or as a JSON line, with every ledger field
//! (hashes included) so the export can be checked against the chain.
//!
//! CSV cells go through [`crate::csv::protect`] (a `'` before a cell that a
//! spreadsheet would run as a formula, or that starts with `'`), every
//! column alike; [`crate::bundle::entry_from_record`] undoes it before
//! hashes are recomputed. JSON Lines carry the fields as they are.

use crate::fields::FieldErrors;
use crate::ledger::LedgerEntry;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Filters as they arrive in a query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub cluster: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub user: Option<String>,
    pub item: Option<String>,
}

/// Valid filters: `from`/`to` are whole UTC days, both inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    cluster_id: Option<i64>,
    /// `at >= from_ts` (RFC 3339 text compares in time order).
    from_ts: Option<String>,
    /// `at < to_ts`: the day after `to`.
    to_ts: Option<String>,
    actor: Option<String>,
    item_id: Option<String>,
}

/// Read-only: a value cannot change after it was validated.
impl ExportFilter {
    pub fn cluster_id(&self) -> Option<i64> {
        self.cluster_id
    }

    pub fn from_ts(&self) -> Option<&str> {
        self.from_ts.as_deref()
    }

    pub fn to_ts(&self) -> Option<&str> {
        self.to_ts.as_deref()
    }

    pub fn actor(&self) -> Option<&str> {
        self.actor.as_deref()
    }

    pub fn item_id(&self) -> Option<&str> {
        self.item_id.as_deref()
    }
}

pub fn validate_export(q: &ExportQuery) -> Result<ExportFilter, FieldErrors> {
    let mut errors = FieldErrors::new();
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let date = |name: &str, v: Option<&str>, errors: &mut FieldErrors| {
        v.and_then(|t| match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(name, "A date like 2026-11-23.");
                None
            }
        })
    };
    let cluster_id = given(&q.cluster).and_then(|c| match c.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add("cluster", "A cluster id (a number).");
            None
        }
    });
    let from = date("from", given(&q.from), &mut errors);
    let to = date("to", given(&q.to), &mut errors);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.add("to", "The end date is before the start date.");
        }
    }
    errors.refuse_nul("user", q.user.as_deref().unwrap_or_default());
    errors.refuse_nul("item", q.item.as_deref().unwrap_or_default());
    let midnight = |d: NaiveDate| format!("{}T00:00:00.000000Z", d.format("%Y-%m-%d"));
    errors.into_result(ExportFilter {
        cluster_id,
        from_ts: from.map(midnight),
        to_ts: to.and_then(|d| d.succ_opt()).map(midnight),
        actor: given(&q.user).map(str::to_string),
        item_id: given(&q.item).map(str::to_string),
    })
}

/// The CSV's columns: the ledger row's fields (which its hash covers),
/// then the cluster's name as it is today, for people reading the export
/// (not covered by any hash; a renamed cluster shows its new name).
pub const CSV_HEADER: [&str; 11] = [
    "seq",
    "at",
    "actor",
    "cluster_id",
    "item_id",
    "action",
    "note",
    "details",
    "prev_hash",
    "hash",
    "cluster_name",
];

/// The header of exports made before the cluster's name was added; a
/// verifier still reads them.
pub const CSV_HEADER_WITHOUT_NAME: [&str; 10] = [
    "seq",
    "at",
    "actor",
    "cluster_id",
    "item_id",
    "action",
    "note",
    "details",
    "prev_hash",
    "hash",
];

/// The ledger's own item ids (rows about accounts, clusters and
/// checkpoints rather than a runbook item), with what the export calls them.
pub const LEDGER_ITEMS: [(&str, &str); 3] = [
    (crate::account::ACCOUNT_ITEM, "Account changes"),
    (
        crate::cluster_change::CLUSTER_ITEM,
        "Cluster registrations and changes",
    ),
    (crate::checkpoint::CHECKPOINT_ITEM, "Signed checkpoints"),
];

/// One CSV record (CRLF-terminated), every cell [`crate::csv::protect`]ed.
pub fn csv_row(e: &LedgerEntry, cluster_name: &str) -> String {
    let mut line = String::with_capacity(256);
    push_csv_row(&mut line, e, cluster_name);
    line
}

/// Appends [`csv_row`] to `out`, copying each cell once.
pub fn push_csv_row(out: &mut String, e: &LedgerEntry, cluster_name: &str) {
    use crate::csv::push_safe_field;
    use std::fmt::Write;
    let c = &e.content();
    // A number needs neither quotes nor, unless negative, protection.
    let number = |out: &mut String, n: i64| {
        if n >= 0 {
            let _ = write!(out, "{n}");
        } else {
            push_safe_field(out, &n.to_string());
        }
    };
    number(out, c.seq.into());
    out.push(',');
    push_safe_field(out, &c.at.to_string());
    out.push(',');
    push_safe_field(out, &c.actor);
    out.push(',');
    number(out, c.cluster_id.into());
    out.push(',');
    for cell in [
        c.item_id.as_str(),
        &c.action,
        &c.note,
        &c.details,
        &c.prev_hash,
    ] {
        push_safe_field(out, cell);
        out.push(',');
    }
    push_safe_field(out, e.hash());
    out.push(',');
    push_safe_field(out, cluster_name);
    out.push_str("\r\n");
}

/// One JSON object per line, the ledger entry's fields as they are.
pub fn jsonl_row(e: &LedgerEntry) -> String {
    let mut line = String::with_capacity(320);
    push_jsonl_row(&mut line, e);
    line
}

/// Appends [`jsonl_row`] to `out`.
pub fn push_jsonl_row(out: &mut String, e: &LedgerEntry) {
    if let Ok(json) = serde_json::to_string(e) {
        out.push_str(&json);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{EntryContent, GENESIS_HASH};

    #[test]
    fn filters_are_checked_and_days_are_inclusive() {
        let f = validate_export(&ExportQuery {
            cluster: Some("3".into()),
            from: Some("2026-11-01".into()),
            to: Some("2026-11-30".into()),
            user: Some(" ada ".into()),
            item: Some("".into()),
        })
        .unwrap();
        assert_eq!(f.cluster_id, Some(3));
        assert_eq!(f.from_ts.as_deref(), Some("2026-11-01T00:00:00.000000Z"));
        assert_eq!(f.to_ts.as_deref(), Some("2026-12-01T00:00:00.000000Z"));
        assert_eq!(f.actor.as_deref(), Some("ada"));
        assert_eq!(f.item_id, None);
        let e = validate_export(&ExportQuery {
            cluster: Some("x".into()),
            from: Some("2026-12-01".into()),
            to: Some("2026-11-01".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.get("cluster").is_some() && e.get("to").is_some());
        assert!(validate_export(&ExportQuery {
            from: Some("yesterday".into()),
            ..Default::default()
        })
        .is_err());
    }

    #[test]
    fn rows_carry_every_field() {
        let e = EntryContent {
            seq: crate::ids::Seq::new(1),
            at: crate::time::Timestamp::parse("2026-11-23T10:00:00.000000Z").unwrap(),
            actor: "ada".into(),
            cluster_id: crate::ids::ClusterId::new(2),
            item_id: "spill".into(),
            action: "done".into(),
            note: "on, \"nvme\"".into(),
            details: String::new(),
            prev_hash: GENESIS_HASH.into(),
        }
        .seal();
        let line = csv_row(&e, "analytics-prod");
        assert!(line
            .starts_with("1,2026-11-23T10:00:00.000000Z,ada,2,spill,done,\"on, \"\"nvme\"\"\",,"));
        assert!(line.ends_with(&format!("{},analytics-prod\r\n", e.hash())));
        let v: serde_json::Value = serde_json::from_str(jsonl_row(&e).trim_end()).unwrap();
        assert_eq!(v["hash"], e.hash());
        assert_eq!(v["prev_hash"], GENESIS_HASH);
    }

    /// The one-buffer encoder writes exactly what protecting and quoting
    /// each cell on its own writes.
    #[test]
    fn buffered_rows_equal_cell_by_cell_rows() {
        let awkward = [
            "",
            "plain",
            "a,b",
            "=1+1",
            "-3",
            "'q",
            "say \"hi\"",
            "x\r\ny",
            "\tt",
            "@@",
        ];
        for (i, text) in awkward.iter().enumerate() {
            let e = EntryContent {
                seq: (i as i64 + 1).into(),
                at: crate::time::Timestamp::parse("2026-11-23T10:00:00.000000Z").unwrap(),
                actor: text.to_string(),
                cluster_id: if i == 3 {
                    crate::ids::ClusterId::new(-2)
                } else {
                    (i as i64).into()
                },
                item_id: text.to_string().into(),
                action: "done".into(),
                note: format!("{text}{text}"),
                details: text.to_string(),
                prev_hash: GENESIS_HASH.into(),
            }
            .seal();
            let c = &e.content();
            let cells = [
                c.seq.to_string(),
                c.at.to_string(),
                c.actor.clone(),
                c.cluster_id.to_string(),
                c.item_id.clone().into(),
                c.action.clone(),
                c.note.clone(),
                c.details.clone(),
                c.prev_hash.clone(),
                e.hash().to_string(),
                text.to_string(),
            ];
            // RFC 4180 by the book, one cell at a time.
            let quoted: Vec<String> = cells
                .iter()
                .map(|c| {
                    let p = crate::csv::protect(c);
                    if p.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", p.replace('"', "\"\""))
                    } else {
                        p.into_owned()
                    }
                })
                .collect();
            let reference = format!("{}\r\n", quoted.join(","));
            assert_eq!(csv_row(&e, text), reference, "cell {text:?}");
        }
    }

    #[test]
    fn formula_notes_are_neutralised_in_csv_only() {
        let e = EntryContent {
            seq: crate::ids::Seq::new(1),
            at: crate::time::Timestamp::parse("2026-11-23T10:00:00.000000Z").unwrap(),
            actor: "@ada".into(),
            cluster_id: crate::ids::ClusterId::new(2),
            item_id: "spill".into(),
            action: "done".into(),
            note: "=HYPERLINK(\"http://x\")".into(),
            details: String::new(),
            prev_hash: GENESIS_HASH.into(),
        }
        .seal();
        let line = csv_row(&e, "");
        assert!(
            line.starts_with(
                "1,2026-11-23T10:00:00.000000Z,'@ada,2,spill,done,\"'=HYPERLINK(\"\"http://x\"\")\",,"
            ),
            "{line}"
        );
        let v: serde_json::Value = serde_json::from_str(jsonl_row(&e).trim_end()).unwrap();
        assert_eq!(v["note"], "=HYPERLINK(\"http://x\")");
        assert_eq!(v["actor"], "@ada");
    }
}
