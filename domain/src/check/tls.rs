//! The verdict on a coordinator's TLS certificate: served over HTTPS,
//! trusted, valid for the host, far enough from expiry, and (for clusters
//! whose certificates are short-lived by default) issued for long enough.

use super::*;
use chrono::{DateTime, Utc};

/// What was read off the certificate the coordinator presented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses from subjectAltName.
    pub names: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

impl CertFacts {
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        (self.not_after - now).num_days()
    }
    pub fn lifetime_days(&self) -> i64 {
        (self.not_after - self.not_before).num_days()
    }
    /// A few lines for the evidence.
    pub fn describe(&self) -> String {
        format!(
            "subject: {}\nissuer: {}\nnames: {}\nnot before: {}\nnot after: {}",
            self.subject,
            self.issuer,
            self.names.join(", "),
            self.not_before.format("%Y-%m-%d %H:%M UTC"),
            self.not_after.format("%Y-%m-%d %H:%M UTC"),
        )
    }
}

/// What happened on the connection.
#[derive(Debug, Clone, PartialEq)]
pub enum TlsSeen {
    /// The coordinator URL is plain http.
    NotHttps,
    /// The handshake verified; the certificate was read.
    Trusted(CertFacts),
    /// Verification refused the certificate (with a hint why); the
    /// certificate, if it could still be read without verification.
    Refused {
        hint: String,
        cert: Option<CertFacts>,
    },
}

pub fn judge_tls(
    seen: &TlsSeen,
    now: DateTime<Utc>,
    min_days_left: i64,
    min_lifetime_days: Option<i64>,
) -> Verdict {
    use CheckStatus::*;
    let cert = match seen {
        TlsSeen::NotHttps => {
            return Verdict::new(
                Fail,
                "the coordinator is reached over plain http; serve it over HTTPS",
                "http",
            )
        }
        TlsSeen::Refused { hint, cert } => {
            let observed = cert
                .as_ref()
                .map(|c| expiry_text(c, now))
                .unwrap_or_else(|| "no certificate read".into());
            return Verdict::new(Fail, hint.clone(), observed);
        }
        TlsSeen::Trusted(cert) => cert,
    };
    let days_left = cert.days_left(now);
    let observed = expiry_text(cert, now);
    if cert.not_after <= now {
        return Verdict::new(Fail, "the certificate has expired", observed);
    }
    if days_left < min_days_left {
        return Verdict::new(
            Fail,
            format!("expires in {days_left} days; renew it before {min_days_left} days are left"),
            observed,
        );
    }
    if let Some(min) = min_lifetime_days {
        let lifetime = cert.lifetime_days();
        if lifetime < min {
            return Verdict::new(
                Fail,
                format!(
                    "issued for {lifetime} days; request a lifetime of at least {min} days so renewals (and restarts) are planned"
                ),
                format!("lifetime {lifetime} days; {observed}"),
            );
        }
        return Verdict::new(
            Pass,
            format!("trusted, issued for {lifetime} days, {days_left} days left"),
            format!("lifetime {lifetime} days; {observed}"),
        );
    }
    Verdict::new(
        Pass,
        format!("trusted, expires in {days_left} days"),
        observed,
    )
}

fn expiry_text(c: &CertFacts, now: DateTime<Utc>) -> String {
    let date = c.not_after.format("%Y-%m-%d");
    if c.not_after <= now {
        format!("expired {date}")
    } else {
        format!("expires {date} ({} days)", c.days_left(now))
    }
}
