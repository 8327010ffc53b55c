//! The client side of the commands that ask a running server with an API
//! token (`gate`, `config push`, `preflight`): one HTTP client, the
//! cluster looked up by name, and a refused request told as the server's
//! own error text (never a body dump).

use crate::cli::CliError;
use clap::Args;
use serde::Deserialize;
use std::time::Duration;

/// Which server to ask, with what token, about which cluster: the
/// arguments every such command takes.
#[derive(Debug, Args)]
pub struct ClusterOnServer {
    /// The Shipshape server, e.g. https://shipshape.example.com
    #[arg(long)]
    pub server: String,
    /// An API token (Settings → API tokens).
    #[arg(long, env = "SHIPSHAPE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// The cluster's name.
    #[arg(long)]
    pub cluster: String,
}

#[derive(Deserialize)]
struct ClusterRow {
    id: i64,
    name: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, String>,
}

pub(crate) fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

/// A server and the token to ask it with.
pub(crate) struct ApiClient {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
}

impl ApiClient {
    pub fn new(server: &str, token: &str, timeout: Duration) -> Result<ApiClient, CliError> {
        Ok(ApiClient {
            base: server.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .map_err(usage)?,
            token: token.to_string(),
        })
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub async fn send(&self, r: reqwest::RequestBuilder) -> Result<reqwest::Response, CliError> {
        r.send()
            .await
            .map_err(|e| usage(format!("cannot reach {}: {e}", self.base)))
    }

    /// The body as `T`, or a sentence saying the server did not answer
    /// like Shipshape.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        r: reqwest::Response,
    ) -> Result<T, CliError> {
        r.json().await.map_err(|_| {
            usage(format!(
                "{} did not answer like a Shipshape server",
                self.base
            ))
        })
    }

    /// A client for `target`'s server, and the id of its cluster.
    pub async fn for_cluster(
        target: &ClusterOnServer,
        timeout: Duration,
    ) -> Result<(ApiClient, i64), CliError> {
        let api = ApiClient::new(&target.server, &target.token, timeout)?;
        let id = api.cluster_id(&target.cluster).await?;
        Ok((api, id))
    }

    /// The id of the cluster named `name`.
    pub async fn cluster_id(&self, name: &str) -> Result<i64, CliError> {
        let r = self.send(self.get("/api/v1/clusters")).await?;
        if !r.status().is_success() {
            return Err(refused("listing clusters", r).await);
        }
        let clusters: Vec<ClusterRow> = self.json(r).await?;
        match clusters.iter().find(|c| c.name == name) {
            Some(c) => Ok(c.id),
            None => {
                let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
                Err(usage(format!(
                    "no cluster named '{name}' (known: {})",
                    names.join(", ")
                )))
            }
        }
    }
}

/// The server's error text for a refused request.
pub(crate) async fn refused(what: &str, r: reqwest::Response) -> CliError {
    let status = r.status();
    let detail = match r.json::<ErrorBody>().await {
        Ok(b) => {
            let fields: Vec<String> = b.fields.values().cloned().collect();
            if fields.is_empty() {
                b.error.unwrap_or_default()
            } else {
                fields.join("; ")
            }
        }
        Err(_) => String::new(),
    };
    CliError::Message(
        format!("{what}: the server answered {status} {detail}")
            .trim_end()
            .to_string(),
    )
}
