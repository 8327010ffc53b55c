//! `shipshape ledger verify` (with and without `--export`), `ledger key`,
//! `ledger rebuild-views` and `ledger checkpoint`.

use super::{config, open, CliError, Global};
use shipshape_backend::service::signoffs;
use shipshape_domain::signing::PublicKey;
use std::path::PathBuf;

/// `ledger verify --export FILE`.
pub(super) async fn verify_export(
    global: &Global,
    file: PathBuf,
    public_key: Option<String>,
) -> Result<(), CliError> {
    let trusted = trusted_key(global, public_key.as_deref())?;
    verify_bundle(file, trusted).await
}

/// `ledger verify`: this install's hash chain and signed checkpoints.
pub(super) async fn verify(global: &Global, public_key: Option<String>) -> Result<(), CliError> {
    let given = public_key.as_deref().map(parse_public_key).transpose()?;
    let state = open(config(global, None)?).await?;
    let key = given.unwrap_or_else(|| state.ledger_key.public_key());
    let v = signoffs::verify_ledger_with(&state, key).await?;
    if v.ok {
        println!("ledger ok: {} entries, head {}", v.entries, v.head);
        match v.signed_head {
            Some(seq) => println!(
                "signed: {} checkpoint(s) verified with key {}; rows up to seq {seq} are signed, {} row(s) after it not yet",
                v.checkpoints,
                key.fingerprint(),
                v.entries.saturating_sub(u64::try_from(seq.get()).unwrap_or(0))
            ),
            None => println!(
                "signed: no checkpoint yet (key {}); `shipshape ledger checkpoint` signs one now",
                key.fingerprint()
            ),
        }
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "ledger chain broken at seq {}: {}",
            v.broken_seq.unwrap_or_default(),
            v.reason.unwrap_or_default()
        )))
    }
}

/// `ledger key`.
pub(super) fn key(global: &Global) -> Result<(), CliError> {
    let config = config(global, None)?;
    let key = shipshape_backend::keys::load_or_create(&config)
        .map_err(|e| CliError::Message(e.to_string()))?;
    let info = key.info();
    println!("public key:  {}", info.public_key);
    println!("fingerprint: {}", info.fingerprint);
    println!("algorithm:   {}", info.algorithm);
    println!("key file:    {}", key.path().display());
    Ok(())
}

/// `ledger rebuild-views`.
pub(super) async fn rebuild_views(global: &Global) -> Result<(), CliError> {
    let state = open(config(global, None)?).await?;
    let n = shipshape_backend::service::views::rebuild(&state).await?;
    println!("read model rebuilt from the ledger: {n} item states");
    Ok(())
}

/// `ledger checkpoint`.
pub(super) async fn checkpoint(global: &Global) -> Result<(), CliError> {
    let state = open(config(global, None)?).await?;
    match shipshape_backend::service::checkpoints::checkpoint_now(&state).await? {
        Some(e) => println!(
            "checkpoint seq {} signs seq {} ({}) with key {}",
            e.content().seq,
            e.content().seq.prev(),
            e.content().prev_hash,
            state.ledger_key.public_key().fingerprint()
        ),
        None => println!("nothing to sign: no row was added since the last checkpoint"),
    }
    Ok(())
}

fn parse_public_key(hex: &str) -> Result<PublicKey, CliError> {
    PublicKey::from_hex(hex).map_err(|e| {
        CliError::Message(format!(
            "--public-key: {e} (give the 64 hex digits `shipshape ledger key` prints)"
        ))
    })
}

/// Where trust comes from, for a bundle: `--public-key`, else this
/// install's key file (never created here), else none.
fn trusted_key(
    global: &Global,
    given: Option<&str>,
) -> Result<Option<(PublicKey, String)>, CliError> {
    if let Some(hex) = given {
        return Ok(Some((parse_public_key(hex)?, "--public-key".to_string())));
    }
    let config = config(global, None)?;
    let key = shipshape_backend::keys::load_existing(&config)
        .map_err(|e| CliError::Message(e.to_string()))?;
    Ok(key.map(|k| (k.public_key(), k.path().display().to_string())))
}

/// `ledger verify --export FILE`: prints the report; exit 1 when anything
/// fails (a signature that is missing, by another key or not valid, or no
/// key to check it with, included), 2 when the file is no readable ZIP.
async fn verify_bundle(
    file: PathBuf,
    trusted: Option<(PublicKey, String)>,
) -> Result<(), CliError> {
    match &trusted {
        Some((key, source)) => println!("trusted key: {} (from {source})", key.fingerprint()),
        None => println!("trusted key: none"),
    }
    let path = file.clone();
    let key = trusted.as_ref().map(|(k, _)| *k);
    let report = tokio::task::spawn_blocking(move || {
        shipshape_backend::service::bundle::verify_file(&path, key)
    })
    .await
    .map_err(|e| CliError::Message(format!("verification stopped: {e}")))?
    .map_err(|e| CliError::Message(e.to_string()))?;
    print!("{report}");
    if trusted.is_none() && !report.format.is_empty() {
        return Err(CliError::Failed(format!(
            "the evidence bundle {} cannot be trusted without the server's key: pass --public-key with the 64 hex digits of the public key that `shipshape ledger key` prints on the server (or its Export page shows){}",
            file.display(),
            report
                .signed_by
                .as_deref()
                .map(|fp| format!("; the bundle names key {fp}, which proves nothing by itself"))
                .unwrap_or_default()
        )));
    }
    if report.ok() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the evidence bundle {} failed verification: {} problem(s), first: {}",
            file.display(),
            report.problem_count(),
            report
                .problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        )))
    }
}
