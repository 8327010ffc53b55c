//! The copied ledger, read back before the commit through the same
//! repository a server reads it with, in chain order: every row's hash and
//! link, every signed checkpoint (with the source's signing key), and the
//! head, which must be the source's.

use super::{db, MigrateError};
use crate::store::Conn;
use futures::TryStreamExt;
use shipshape_domain::chain::{ChainVerifier, Verification};
use shipshape_domain::signing::PublicKey;

/// Verifies the ledger `repos` sees and compares its head with `head`
/// (seq, hash; seq 0 for an empty ledger).
pub async fn chain(
    repos: &mut Conn,
    key: Option<PublicKey>,
    head: &(i64, String),
) -> Result<Verification, MigrateError> {
    let mut verifier = ChainVerifier::with_key(key);
    let mut broken = None;
    {
        let mut rows = repos.ledger().stream_all();
        while let Some(entry) = rows
            .try_next()
            .await
            .map_err(db("reading the copied ledger"))?
        {
            if let Err(b) = verifier.push(&entry) {
                broken = Some(b);
                break;
            }
        }
    }
    let v = verifier.finish(broken);
    if !v.ok {
        return Err(MigrateError::Chain(format!(
            "the chain is broken at seq {}: {} (was the source's ledger already broken? `shipshape ledger verify` on the source tells)",
            v.broken_seq.unwrap_or_default(),
            v.reason.clone().unwrap_or_default()
        )));
    }
    let seq = i64::try_from(v.entries).unwrap_or(i64::MAX);
    let same = if head.0 == 0 {
        seq == 0
    } else {
        seq == head.0 && v.head == head.1
    };
    if !same {
        return Err(MigrateError::Chain(format!(
            "its head is seq {seq} hash {}, the source's seq {} hash {}",
            v.head, head.0, head.1
        )));
    }
    Ok(v)
}
