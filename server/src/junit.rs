//! The gate as JUnit XML, for CI systems that show test reports: a test
//! case per item (a failure when it blocks, skipped when not applicable or
//! waived) and one for the score. Written by `quick-junit` (nextest's
//! serializer), which escapes text, counts tests, failures and skips, and
//! drops characters XML cannot hold.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use shipshape_domain::gate::GateResult;
use shipshape_domain::standing::Standing;

/// The report's XML; `Err` only when the serializer fails (it writes to
/// memory, so only on a bug there), with its message.
pub fn junit(r: &GateResult) -> Result<String, String> {
    let mut suite = TestSuite::new(r.cluster.as_str());
    let score = r
        .score
        .map(|s| format!("{s}%"))
        .unwrap_or_else(|| "n/a".into());
    let mut status = if r.reasons.is_empty() {
        TestCaseStatus::success()
    } else {
        TestCaseStatus::non_success(NonSuccessKind::Failure)
    };
    if !r.reasons.is_empty() {
        status.set_message(r.reasons.join("; "));
    }
    let mut case = TestCase::new(format!("score {score} (at least {}%)", r.min_score), status);
    case.set_classname("readiness");
    suite.add_test_case(case);
    for i in &r.items {
        let status = if let Some(b) = r.blocking.iter().find(|b| b.item_id == i.item_id) {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(b.reason.as_str())
                .set_type(b.standing.as_str());
            s
        } else if matches!(i.standing, Standing::NotApplicable | Standing::Waived) {
            let mut s = TestCaseStatus::skipped();
            s.set_message(i.standing.as_str());
            s
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(i.title.as_str(), status);
        case.set_classname(i.section.as_str());
        suite.add_test_case(case);
    }
    let mut report = Report::new("shipshape gate");
    report.add_test_suite(suite);
    report.to_string().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_domain::gate::{Blocker, GateItem};

    fn item(id: &str, section: &str, title: &str, standing: Standing) -> GateItem {
        GateItem {
            item_id: id.into(),
            section: section.into(),
            title: title.into(),
            standing,
        }
    }

    #[test]
    fn a_case_per_item_failures_and_skips_counted_and_text_escaped() {
        let r = GateResult {
            cluster: "prod & co".into(),
            ready: false,
            score: Some(60),
            min_score: 100,
            reasons: vec!["score 60% is below 100%".into()],
            blocking: vec![Blocker {
                item_id: "spill".into(),
                title: "Title <spill>".into(),
                section: "reliability".into(),
                standing: Standing::Open,
                reason: "not signed off \u{1b}[31m<now>".into(),
            }],
            items: vec![
                item("spill", "reliability", "Title <spill>", Standing::Open),
                item("tls", "security", "TLS", Standing::Waived),
                item("ldap", "security", "LDAP", Standing::Done),
            ],
        };
        let x = junit(&r).unwrap();
        assert_eq!(x.matches("<testcase ").count(), 4, "{x}");
        assert_eq!(x.matches("<failure ").count(), 2, "{x}");
        assert_eq!(x.matches("<skipped ").count(), 1, "{x}");
        assert!(x.contains("tests=\"4\""), "{x}");
        assert!(x.contains("failures=\"2\""), "{x}");
        // quick-junit 0.5 counts skipped cases as `disabled` on the suite.
        assert!(x.contains("disabled=\"1\""), "{x}");
        assert!(x.contains("name=\"prod &amp; co\""), "{x}");
        assert!(x.contains("name=\"Title &lt;spill&gt;\""), "{x}");
        assert!(!x.contains("<spill>"), "{x}");
        // A control character (an ANSI colour from a cluster's message) is
        // not valid XML: the serializer leaves it out.
        assert!(!x.contains('\u{1b}'), "{x}");
    }
}
