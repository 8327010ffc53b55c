//! `shipshape gate`: asks a running server (with an API token) whether a
//! cluster is ready and prints the answer as text, JSON or JUnit XML.
//! Exit codes: 0 ready, 1 not ready, 2 usage or connection error.

use crate::cli::CliError;
use crate::junit::junit;
use clap::{Args, ValueEnum};
use serde::Deserialize;
use shipshape_domain::gate::{text, GateResult};
use std::time::Duration;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The Shipshape server, e.g. https://shipshape.example.com
    #[arg(long)]
    pub server: String,
    /// An API token (Settings → API tokens).
    #[arg(long, env = "SHIPSHAPE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// The cluster's name.
    #[arg(long)]
    pub cluster: String,
    /// Least score in percent (default 100: every applicable item).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub min_score: Option<u32>,
    /// A section whose every applicable item must count (repeatable).
    #[arg(long = "require-section")]
    pub require_sections: Vec<String>,
    /// Let regressed items through (by default any regressed item blocks).
    #[arg(long)]
    pub allow_regressed: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: GateFormat,
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

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}

/// The server's error text for a refused request (never a body dump).
async fn refused(what: &str, r: reqwest::Response) -> CliError {
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

pub async fn run(args: GateArgs) -> Result<(), CliError> {
    let base = args.server.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(usage)?;
    let r = client
        .get(format!("{base}/api/v1/clusters"))
        .bearer_auth(&args.token)
        .send()
        .await
        .map_err(|e| usage(format!("cannot reach {base}: {e}")))?;
    if !r.status().is_success() {
        return Err(refused("listing clusters", r).await);
    }
    let clusters: Vec<ClusterRow> = r
        .json()
        .await
        .map_err(|_| usage(format!("{base} did not answer like a Shipshape server")))?;
    let Some(cluster) = clusters.iter().find(|c| c.name == args.cluster) else {
        let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
        return Err(usage(format!(
            "no cluster named '{}' (known: {})",
            args.cluster,
            names.join(", ")
        )));
    };
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Some(n) = args.min_score {
        query.push(("min_score", n.to_string()));
    }
    for s in &args.require_sections {
        query.push(("require_section", s.clone()));
    }
    if args.allow_regressed {
        query.push(("allow_regressed", "true".into()));
    }
    let r = client
        .get(format!("{base}/api/v1/clusters/{}/gate", cluster.id))
        .bearer_auth(&args.token)
        .query(&query)
        .send()
        .await
        .map_err(|e| usage(format!("cannot reach {base}: {e}")))?;
    let status = r.status().as_u16();
    if status != 200 && status != 412 {
        return Err(refused("asking the gate", r).await);
    }
    let result: GateResult = r
        .json()
        .await
        .map_err(|_| usage(format!("{base} did not answer like a Shipshape server")))?;
    let out = match args.format {
        GateFormat::Text => text(&result),
        GateFormat::Json => serde_json::to_string_pretty(&result).map_err(usage)? + "\n",
        GateFormat::Junit => junit(&result).map_err(usage)?,
    };
    print!("{out}");
    if result.ready {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "cluster '{}' is not ready",
            result.cluster
        )))
    }
}
