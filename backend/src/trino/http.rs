//! Plain HTTP requests to a coordinator or worker besides the statement
//! protocol: GETs of REST endpoints (with or without credentials), the
//! presented certificate, and a statement sent without credentials to see
//! whether the coordinator refuses it.

use super::{identified, read_capped, with_identity, Target, TrinoError};
use std::time::Duration;

/// What a coordinator answered.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
    pub www_authenticate: Option<String>,
    /// The leaf certificate, DER, when the connection was TLS.
    pub peer_certificate: Option<Vec<u8>>,
}

/// Whether a request carries the target's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    Send,
    Withhold,
}

/// The answer, its body read as a stream into at most `cap` bytes.
async fn answer(r: reqwest::Response, cap: usize) -> Result<HttpAnswer, TrinoError> {
    let status = r.status().as_u16();
    let www_authenticate = r
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let peer_certificate = r
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.peer_certificate())
        .map(<[u8]>::to_vec);
    let bytes = read_capped(r, cap).await?;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Ok(HttpAnswer {
        status,
        body,
        www_authenticate,
        peer_certificate,
    })
}

fn url(target: &Target, path: &str) -> Result<url::Url, TrinoError> {
    target
        .base_url
        .join(path.trim_start_matches('/'))
        .map_err(|e| TrinoError::Config(format!("bad URL: {e}")))
}

/// A GET bounded by the query timeout.
pub async fn get(
    client: &reqwest::Client,
    target: &Target,
    path: &str,
    credentials: Credentials,
) -> Result<HttpAnswer, TrinoError> {
    let url = url(target, path)?;
    let request = client.get(url);
    let request = match credentials {
        Credentials::Send => with_identity(request, target)?,
        Credentials::Withhold => identified(request, &target.user),
    };
    let fetch = async {
        let r = request.send().await.map_err(TrinoError::from_reqwest)?;
        answer(r, target.max_body).await
    };
    bounded(target.query_timeout, fetch).await
}

/// `POST /v1/statement` without credentials. Should the coordinator accept
/// it, the query is cancelled at once.
pub async fn anonymous_statement(
    client: &reqwest::Client,
    target: &Target,
) -> Result<HttpAnswer, TrinoError> {
    let url = url(target, "/v1/statement")?;
    let fetch = async {
        let r = identified(client.post(url), &target.user)
            .body("SELECT 1")
            .send()
            .await
            .map_err(TrinoError::from_reqwest)?;
        let a = answer(r, target.max_body).await?;
        if a.status == 200 {
            // Cancel only on the coordinator itself, whatever nextUri says.
            let next = serde_json::from_str::<serde_json::Value>(&a.body)
                .ok()
                .and_then(|v| v.get("nextUri")?.as_str().map(str::to_string))
                .and_then(|n| super::same_origin(&target.base_url, &n).ok());
            if let Some(next) = next {
                let _ = identified(client.delete(next), &target.user)
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await;
            }
        }
        Ok(a)
    };
    bounded(target.query_timeout, fetch).await
}

async fn bounded<T>(
    limit: Duration,
    f: impl std::future::Future<Output = Result<T, TrinoError>>,
) -> Result<T, TrinoError> {
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| TrinoError::Timeout(limit))?
}
