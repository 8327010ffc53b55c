//! The readiness gate for deployment pipelines: the cluster's checklist
//! judged against the pipeline's bar (see [`shipshape_domain::gate`]).
//! Any role that may read may ask, with a session or an API token.

use super::signoffs;
use crate::{AppState, ServiceError};
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::gate::{evaluate, GateError, GateQuery, GateResult};
use shipshape_domain::ids::ClusterId;
use shipshape_domain::user::User;

pub async fn gate(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
    q: &GateQuery,
) -> Result<GateResult, ServiceError> {
    let (cluster, checklist) = signoffs::checklist(state, actor, cluster_id).await?;
    evaluate(&cluster.name, &checklist, q).map_err(|e| {
        let field = match e {
            GateError::Score(_) => "min_score",
            GateError::Section(..) => "require_section",
        };
        ServiceError::Invalid(FieldErrors::single(field, e.to_string()))
    })
}
