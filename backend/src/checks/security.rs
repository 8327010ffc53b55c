//! TLS and authentication checks: what certificate the coordinator
//! presents and whether it is trusted, and whether a statement without
//! credentials is refused.

use super::{error, Observation, Probe};
use crate::trino::{self, cert_facts, Credentials, Target, TrinoError};
use chrono::Utc;
use shipshape_domain::check::{cap_evidence, judge_authentication, judge_tls, TlsSeen};

pub(super) async fn tls(
    probe: &Probe<'_>,
    min_days_left: i64,
    min_lifetime_days: Option<i64>,
) -> Observation {
    let target = probe.target;
    if target.base_url.scheme() != "https" {
        let seen = TlsSeen::NotHttps;
        return Observation {
            verdict: judge_tls(&seen, Utc::now(), min_days_left, min_lifetime_days),
            evidence: format!("{} is plain http", target.base_url),
        };
    }
    let seen = match trino::get(probe.verifier, target, "/v1/info", Credentials::Withhold).await {
        Ok(a) => match a.peer_certificate.as_deref().and_then(cert_facts) {
            Some(c) => TlsSeen::Trusted(c),
            None => {
                return Observation {
                    verdict: shipshape_domain::check::Verdict::error(
                        "the TLS connection gave no readable certificate",
                    ),
                    evidence: String::new(),
                }
            }
        },
        Err(TrinoError::Tls(hint)) => {
            // Read the refused certificate without verifying it, to show
            // what is wrong with it.
            let cert = trino::get(probe.inspector, target, "/v1/info", Credentials::Withhold)
                .await
                .ok()
                .and_then(|a| a.peer_certificate)
                .as_deref()
                .and_then(cert_facts);
            TlsSeen::Refused { hint, cert }
        }
        Err(e) => return error(e),
    };
    let evidence = match &seen {
        TlsSeen::Trusted(c) => format!("GET {}v1/info: trusted\n{}", target.base_url, c.describe()),
        TlsSeen::Refused { hint, cert } => format!(
            "GET {}v1/info: refused: {hint}\n{}",
            target.base_url,
            cert.as_ref()
                .map(|c| c.describe())
                .unwrap_or_else(|| "(the certificate could not be read)".into())
        ),
        TlsSeen::NotHttps => String::new(),
    };
    Observation {
        verdict: judge_tls(&seen, Utc::now(), min_days_left, min_lifetime_days),
        evidence: cap_evidence(evidence),
    }
}

pub(super) async fn authentication(client: &reqwest::Client, target: &Target) -> Observation {
    let https = target.base_url.scheme() == "https";
    match trino::anonymous_statement(client, target).await {
        Ok(a) => Observation {
            verdict: judge_authentication(https, a.status, a.www_authenticate.as_deref()),
            evidence: cap_evidence(format!(
                "POST {}v1/statement without credentials → {}{}\n{}",
                target.base_url,
                a.status,
                a.www_authenticate
                    .as_deref()
                    .map(|w| format!("\nWWW-Authenticate: {w}"))
                    .unwrap_or_default(),
                a.body
            )),
        },
        Err(e) => error(e),
    }
}
