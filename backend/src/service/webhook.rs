//! Posting JSON to a webhook, as the reminders and notifications do: a
//! bounded number of attempts with doubling backoff, signed afresh at each
//! attempt when there is a secret, and the URL (which may hold a token)
//! never in a log line.

use shipshape_domain::notify::{signature, SIGNATURE_HEADER};
use std::time::Duration;

const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// `true` once a 2xx answer came; `false` after `attempts` failures.
pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &[u8],
    secret: Option<&str>,
    attempts: u32,
    what: &'static str,
) -> bool {
    let mut wait = FIRST_BACKOFF;
    for attempt in 1..=attempts {
        let mut req = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(Duration::from_secs(10));
        if let Some(secret) = secret {
            let t = chrono::Utc::now().timestamp();
            req = req.header(SIGNATURE_HEADER, signature(secret.as_bytes(), t, body));
        }
        match req.body(body.to_vec()).send().await {
            Ok(r) if r.status().is_success() => return true,
            Ok(r) => tracing::warn!(
                attempt,
                status = r.status().as_u16(),
                what,
                "webhook refused"
            ),
            Err(e) => {
                tracing::warn!(attempt, error = %e.without_url(), what, "webhook unreachable")
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    false
}
