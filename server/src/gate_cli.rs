//! `shipshape gate`: asks a running server (with an API token) whether a
//! cluster is ready and prints the answer as text, JSON or JUnit XML.
//! Exit codes: 0 ready, 1 not ready, 2 usage or connection error.

use crate::api_client::{refused, usage, ApiClient, ClusterOnServer};
use crate::cli::CliError;
use crate::junit::junit;
use clap::{Args, ValueEnum};
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
    #[command(flatten)]
    pub target: ClusterOnServer,
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

pub async fn run(args: GateArgs) -> Result<(), CliError> {
    let (api, cluster_id) = ApiClient::for_cluster(&args.target, Duration::from_secs(30)).await?;
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
    let r = api
        .send(
            api.get(&format!("/api/v1/clusters/{cluster_id}/gate"))
                .query(&query),
        )
        .await?;
    let status = r.status().as_u16();
    if status != 200 && status != 412 {
        return Err(refused("asking the gate", r).await);
    }
    let result: GateResult = api.json(r).await?;
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
