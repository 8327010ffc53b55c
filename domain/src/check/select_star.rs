//! Workload hygiene from the query log: the share of finished queries
//! whose text selects `*` from a table (`SELECT * FROM t`, `SELECT t.* FROM
//! t JOIN …`), per user and source, against a threshold in the runbook.
//! `count(*)` and `SELECT * FROM (VALUES …)` read no table's every column
//! and do not count. Comments and string literals are skipped, so `'*'` or
//! `-- select *` never count either.

use super::{CheckStatus, Verdict};

/// The words of a statement: lower-cased identifiers and keywords, `*`,
/// `.`, `(`, `)` and `,`; comments and string literals left out, quoted
/// identifiers kept as one word.
fn words(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c == '"' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            out.push(chars[start..i.min(chars.len())].iter().collect());
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else {
            if matches!(c, '*' | '.' | '(' | ')' | ',') {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// Whether a statement selects every column of a table.
pub fn selects_star(sql: &str) -> bool {
    let w = words(sql);
    for (i, word) in w.iter().enumerate() {
        if word != "select" {
            continue;
        }
        // The select list at this level, up to its FROM.
        let mut depth = 0i32;
        let mut star = false;
        let mut j = i + 1;
        while j < w.len() {
            match w[j].as_str() {
                "(" => depth += 1,
                ")" => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                // A select item of its own (`*`, `t.*`), not a product.
                "*" if depth == 0 => {
                    let before = w[j - 1].as_str();
                    let after = w.get(j + 1).map_or("", String::as_str);
                    if matches!(before, "select" | "distinct" | "all" | "," | ".")
                        && matches!(after, "," | "from")
                    {
                        star = true;
                    }
                }
                "from" if depth == 0 => {
                    if star && w.get(j + 1).is_some_and(|t| t != "(") {
                        return true;
                    }
                    break;
                }
                _ => {}
            }
            j += 1;
        }
    }
    false
}

/// One finished query of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedQuery {
    pub user: String,
    pub source: String,
    pub sql: String,
}

/// The verdict over a window of the query log: fails when more than
/// `threshold_percent` of the queries select `*` from a table, naming the
/// three users and sources that send the most.
pub fn judge_select_star(queries: &[LoggedQuery], threshold_percent: f64) -> Verdict {
    if queries.is_empty() {
        return Verdict::new(
            CheckStatus::Warn,
            "no finished query in the window: nothing to judge",
            "0 queries",
        );
    }
    let mut offenders: Vec<((String, String), usize)> = Vec::new();
    let mut starred = 0usize;
    for q in queries.iter().filter(|q| selects_star(&q.sql)) {
        starred += 1;
        let key = (q.user.clone(), q.source.clone());
        match offenders.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => offenders.push((key, 1)),
        }
    }
    offenders.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let share = starred as f64 * 100.0 / queries.len() as f64;
    let observed = format!(
        "{starred} of {} queries ({share:.1}%) select *",
        queries.len()
    );
    let top: Vec<String> = offenders
        .iter()
        .take(3)
        .map(|((user, source), n)| {
            let source = if source.is_empty() {
                "no source"
            } else {
                source.as_str()
            };
            format!("{user} via {source} ({n})")
        })
        .collect();
    if share > threshold_percent {
        Verdict::new(
            CheckStatus::Fail,
            format!(
                "{share:.1}% of finished queries select * from a table (at most {threshold_percent}%): {}",
                top.join(", ")
            ),
            observed,
        )
    } else {
        Verdict::new(
            CheckStatus::Pass,
            format!("{share:.1}% of finished queries select * from a table (at most {threshold_percent}%)"),
            observed,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_from_a_table_counts_and_lookalikes_do_not() {
        for yes in [
            "SELECT * FROM hive.web.clicks",
            "select distinct * from t where x = 1",
            "SELECT c.* FROM clicks c JOIN users u ON c.u = u.id",
            "WITH x AS (SELECT 1) SELECT * FROM \"weird table\"",
            "SELECT a FROM (SELECT * FROM t) s",
        ] {
            assert!(selects_star(yes), "{yes}");
        }
        for no in [
            "SELECT count(*) FROM t",
            "SELECT a, b FROM t",
            "SELECT * FROM (VALUES 1, 2)",
            "SELECT '*' FROM t",
            "-- SELECT * FROM t\nSELECT a FROM t",
            "/* SELECT * FROM t */ SELECT 1",
            "SELECT 2 * 3",
            "SELECT a * b FROM t",
        ] {
            assert!(!selects_star(no), "{no}");
        }
    }

    #[test]
    fn the_share_is_judged_against_the_threshold_naming_the_top_senders() {
        let q = |user: &str, source: &str, sql: &str| LoggedQuery {
            user: user.into(),
            source: source.into(),
            sql: sql.into(),
        };
        let mut log = vec![
            q("ana", "superset", "SELECT * FROM t"),
            q("ana", "superset", "SELECT * FROM u"),
            q("bo", "", "SELECT * FROM t"),
        ];
        for _ in 0..7 {
            log.push(q("etl", "airflow", "SELECT a FROM t"));
        }
        let v = judge_select_star(&log, 10.0);
        assert_eq!(v.status, CheckStatus::Fail);
        assert!(
            v.reason.starts_with("30.0% of finished queries"),
            "{}",
            v.reason
        );
        assert!(
            v.reason
                .contains("ana via superset (2), bo via no source (1)"),
            "{}",
            v.reason
        );
        assert_eq!(v.observed, "3 of 10 queries (30.0%) select *");
        assert_eq!(judge_select_star(&log, 30.0).status, CheckStatus::Pass);
        assert_eq!(judge_select_star(&[], 5.0).status, CheckStatus::Warn);
    }
}
