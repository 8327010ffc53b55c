//! What can go wrong talking to a cluster, in terms a person can act on.

use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrinoError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the coordinator refused the credentials (401)")]
    Unauthorized,
    #[error("the coordinator denied access (403)")]
    Forbidden,
    #[error("no answer within {0:?}; the query was cancelled")]
    Timeout(Duration),
    #[error("protocol violation: {0}")]
    Protocol(String),
    #[error("this answer was dropped: the server is reading too many large responses at once")]
    Overloaded,
    #[error("unexpected HTTP status {0}")]
    Http(u16),
    #[error("query failed: {name} ({error_type}): {message}")]
    QueryFailed {
        name: String,
        code: i64,
        error_type: String,
        message: String,
    },
}

impl TrinoError {
    /// A Trino `error` object; `errorType` is always present in real Trino.
    pub(super) fn query_failed(e: &Value) -> Result<TrinoError, TrinoError> {
        let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
        let error_type = text("errorType")
            .ok_or_else(|| TrinoError::Protocol("an error without errorType".into()))?;
        Ok(TrinoError::QueryFailed {
            name: text("errorName").unwrap_or_else(|| "UNKNOWN".into()),
            code: e.get("errorCode").and_then(Value::as_i64).unwrap_or(-1),
            error_type,
            message: text("message").unwrap_or_default(),
        })
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> TrinoError {
        if e.is_timeout() {
            return TrinoError::Unreachable("the connection timed out".into());
        }
        let chain = source_chain(&e);
        let lower = chain.to_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            let hint = if lower.contains("expired") {
                "the certificate has expired"
            } else if lower.contains("notvalidforname") || lower.contains("not valid for") {
                "the certificate is not valid for this host name"
            } else if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
                "the certificate is not signed by a trusted CA (configure the cluster's CA file)"
            } else {
                "the TLS handshake failed"
            };
            return TrinoError::Tls(format!("{hint} ({chain})"));
        }
        if e.is_connect() {
            return TrinoError::Unreachable(format!("cannot connect ({chain})"));
        }
        TrinoError::Unreachable(chain)
    }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}
