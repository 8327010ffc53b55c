//! Notifications: which ledger rows and dates are worth telling someone
//! about (a signed-off item regressed or recovered, a waiver requested,
//! decided or about to expire, a sign-off about to expire), the JSON body a
//! generic webhook gets, the Slack line, and the signature that proves a
//! body came from this server:
//!
//! `X-Shipshape-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
//!
//! A receiver recomputes the HMAC over the raw body with the shared secret,
//! compares in constant time, and refuses a `t` far from its own clock
//! (see [`verify`]).

use crate::check::CheckStatus;
use crate::ids::{ClusterId, ItemId};
use crate::ledger::EntryContent;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-Shipshape-Signature";
/// How far a receiver should let `t` stray from its clock.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ItemRegressed,
    ItemRecovered,
    WaiverRequested,
    WaiverApproved,
    WaiverRejected,
    WaiverExpiring,
    SignoffExpiring,
    Test,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ItemRegressed => "item_regressed",
            EventKind::ItemRecovered => "item_recovered",
            EventKind::WaiverRequested => "waiver_requested",
            EventKind::WaiverApproved => "waiver_approved",
            EventKind::WaiverRejected => "waiver_rejected",
            EventKind::WaiverExpiring => "waiver_expiring",
            EventKind::SignoffExpiring => "signoff_expiring",
            EventKind::Test => "test",
        }
    }
}

/// One thing to tell, with the key that makes it happen once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per event: a receiver may use it to drop a retried delivery.
    pub id: String,
    pub event: EventKind,
    pub cluster_id: ClusterId,
    pub cluster: String,
    pub item_id: ItemId,
    pub item: String,
    /// One line saying what happened.
    pub summary: String,
    pub at: String,
    /// The item on the dashboard (absolute when `public_url` is set).
    pub link: String,
}

/// What the caller knows about the row's cluster and item.
pub struct RowContext<'a> {
    pub cluster: &'a str,
    pub item_title: &'a str,
    /// The item's newest sign-off is "done" (a verdict change on an item
    /// nobody signed off regresses nothing).
    pub signed_off: bool,
    pub link: String,
}

#[derive(Deserialize)]
struct VerdictMove {
    from: String,
    to: String,
}

/// The event a ledger row makes, if any.
pub fn from_row(row: &EntryContent, ctx: &RowContext<'_>) -> Option<Event> {
    let (event, summary) = match row.action.as_str() {
        "check_verdict" => {
            let m: VerdictMove = serde_json::from_str(&row.details).ok()?;
            let failing = |s: &str| CheckStatus::parse(s) == Some(CheckStatus::Fail);
            if !ctx.signed_off {
                return None;
            }
            if failing(&m.to) && !failing(&m.from) {
                (
                    EventKind::ItemRegressed,
                    format!(
                        "{} on {} is signed off but its live check now fails",
                        ctx.item_title, ctx.cluster
                    ),
                )
            } else if failing(&m.from) && !failing(&m.to) && m.to != "error" {
                (
                    EventKind::ItemRecovered,
                    format!(
                        "{} on {} passes its live check again ({})",
                        ctx.item_title, ctx.cluster, m.to
                    ),
                )
            } else {
                return None;
            }
        }
        "waiver_requested" => (
            EventKind::WaiverRequested,
            format!(
                "{} asks to waive {} on {}: {}",
                row.actor, ctx.item_title, ctx.cluster, row.note
            ),
        ),
        "waiver_approved" => (
            EventKind::WaiverApproved,
            format!(
                "{} approved the waiver of {} on {}",
                row.actor, ctx.item_title, ctx.cluster
            ),
        ),
        "waiver_rejected" => (
            EventKind::WaiverRejected,
            format!(
                "{} rejected the waiver of {} on {}: {}",
                row.actor, ctx.item_title, ctx.cluster, row.note
            ),
        ),
        _ => return None,
    };
    Some(Event {
        id: format!("ledger-{}", row.seq),
        event,
        cluster_id: row.cluster_id,
        cluster: ctx.cluster.to_string(),
        item_id: row.item_id.clone(),
        item: ctx.item_title.to_string(),
        summary,
        at: row.at.to_string(),
        link: ctx.link.clone(),
    })
}

/// A sign-off or an approved waiver that stops counting on `until` (told
/// once per sign-off or waiver, when it starts "expiring soon").
pub fn expiring(
    event: EventKind,
    cluster_id: ClusterId,
    ctx: &RowContext<'_>,
    item_id: &str,
    until: &str,
    once_per: &str,
    at: &str,
) -> Event {
    let what = match event {
        EventKind::WaiverExpiring => "the waiver of",
        _ => "the sign-off of",
    };
    Event {
        id: format!("{}-{cluster_id}-{item_id}-{once_per}", event.as_str()),
        event,
        cluster_id,
        cluster: ctx.cluster.to_string(),
        item_id: item_id.to_string().into(),
        item: ctx.item_title.to_string(),
        summary: format!(
            "{what} {} on {} stops counting on {until}",
            ctx.item_title, ctx.cluster
        ),
        at: at.to_string(),
        link: ctx.link.clone(),
    }
}

/// The Slack-compatible body (`{"text": …}`).
pub fn slack_text(e: &Event) -> String {
    let icon = match e.event {
        EventKind::ItemRegressed => ":rotating_light:",
        EventKind::ItemRecovered => ":white_check_mark:",
        EventKind::WaiverExpiring | EventKind::SignoffExpiring => ":hourglass:",
        EventKind::Test => ":wave:",
        _ => ":memo:",
    };
    format!("{icon} {} <{}|open>", e.summary, e.link)
}

/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!(
        "t={t},v1={}",
        hex::encode(mac(secret, t, body).unwrap_or_default())
    )
}

/// `None` only if the key were refused, which HMAC never does (it takes a
/// key of any length); nothing verifies then.
fn mac(secret: &[u8], t: i64, body: &[u8]) -> Option<Vec<u8>> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    Some(m.finalize().into_bytes().to_vec())
}

/// What a receiver does: the header parses, `t` is within
/// [`TOLERANCE_SECS`] of `now`, and the MAC matches the raw body.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    (now - t).abs() <= TOLERANCE_SECS
        && mac(secret, t, body).is_some_and(|m| crate::secret_eq::secret_eq(&m, &v1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, action: &str, details: &str) -> EntryContent {
        EntryContent {
            seq: seq.into(),
            at: crate::time::Timestamp::parse("2026-12-02T10:00:00.000000Z").unwrap(),
            actor: "shipshape".into(),
            cluster_id: ClusterId::new(3),
            item_id: "spill".into(),
            action: action.into(),
            note: "the pipeline ships in January".into(),
            details: details.into(),
            prev_hash: String::new(),
        }
    }

    fn ctx(signed_off: bool) -> RowContext<'static> {
        RowContext {
            cluster: "analytics-prod",
            item_title: "Spill to disk",
            signed_off,
            link: "/clusters/3?item=spill".into(),
        }
    }

    #[test]
    fn verdict_rows_make_regressions_and_recoveries_of_signed_off_items_only() {
        let down = row(7, "check_verdict", r#"{"from":"pass","to":"fail"}"#);
        let e = from_row(&down, &ctx(true)).unwrap();
        assert_eq!(e.event, EventKind::ItemRegressed);
        assert_eq!(e.id, "ledger-7");
        assert!(e.summary.contains("Spill to disk on analytics-prod"));
        assert!(
            from_row(&down, &ctx(false)).is_none(),
            "nobody signed it off"
        );
        let up = row(8, "check_verdict", r#"{"from":"fail","to":"pass"}"#);
        assert_eq!(
            from_row(&up, &ctx(true)).unwrap().event,
            EventKind::ItemRecovered
        );
        let first = row(9, "check_verdict", r#"{"from":"not_run","to":"fail"}"#);
        assert_eq!(
            from_row(&first, &ctx(true)).unwrap().event,
            EventKind::ItemRegressed
        );
        let erroring = row(10, "check_verdict", r#"{"from":"fail","to":"error"}"#);
        assert!(
            from_row(&erroring, &ctx(true)).is_none(),
            "an error proves no recovery"
        );
        assert!(from_row(&row(11, "done", ""), &ctx(true)).is_none());
        let asked = from_row(&row(12, "waiver_requested", "{}"), &ctx(false)).unwrap();
        assert_eq!(asked.event, EventKind::WaiverRequested);
        assert!(asked.summary.ends_with("the pipeline ships in January"));
    }

    #[test]
    fn signatures_verify_and_refuse_tampering_and_old_timestamps() {
        let body = br#"{"event":"test"}"#;
        let header = signature(b"s3cret", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
        assert!(verify(b"s3cret", &header, body, 1_700_000_100));
        assert!(!verify(b"other", &header, body, 1_700_000_100));
        assert!(!verify(
            b"s3cret",
            &header,
            br#"{"event":"tast"}"#,
            1_700_000_100
        ));
        assert!(!verify(
            b"s3cret",
            &header,
            body,
            1_700_000_000 + TOLERANCE_SECS + 1
        ));
        assert!(!verify(b"s3cret", "v1=00", body, 1_700_000_000));
        // A known answer, computed with Python's hmac module:
        // hmac.new(b"k", b"1.x", hashlib.sha256).hexdigest()
        assert_eq!(
            signature(b"k", 1, b"x"),
            "t=1,v1=976cb87e4f568d1c0f03f32859e90af8597cf00b978ba37c229c97d3a15b8449"
        );
    }
}
