//! Evidence files shared by Day-2 completions and checklist sign-offs:
//! moving accepted uploads into the store and describing them for the
//! ledger row and the `attachments` table.

use crate::files::{FileError, Pending};
use crate::{AppState, ServiceError};
use shipshape_domain::attachment::{AttachedFile, AttachmentMeta};
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::time::Timestamp;
use shipshape_domain::user::User;

/// A received file and what its uploader said about it.
pub struct IncomingFile {
    pub pending: Pending,
    pub name: String,
    pub content_type: String,
}

/// An optional `YYYY-MM-DD` "evidence as of" date.
pub(crate) fn evidence_as_of(text: &str, errors: &mut FieldErrors) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        None
    } else if chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok() {
        Some(t.to_string())
    } else {
        errors.add("evidence_as_of", "A date like 2026-11-23, or empty.");
        None
    }
}

pub(crate) fn check_count(state: &AppState, n: usize, errors: &mut FieldErrors) {
    if n > state.config.max_upload_files {
        errors.add(
            "files",
            format!("Attach at most {} files.", state.config.max_upload_files),
        );
    }
}

/// Stores accepted files and describes them; call only once the request
/// passed validation.
pub(crate) async fn accept(
    state: &AppState,
    actor: &User,
    files: Vec<IncomingFile>,
    evidence_as_of: Option<String>,
    at: &Timestamp,
) -> Result<(Vec<AttachedFile>, Vec<AttachmentMeta>), ServiceError> {
    let mut attached = Vec::new();
    let mut metas = Vec::new();
    for f in files {
        attached.push(AttachedFile {
            sha256: f.pending.sha256.clone(),
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.pending.size,
            evidence_as_of: evidence_as_of.clone(),
        });
        metas.push(AttachmentMeta {
            sha256: f.pending.sha256.clone(),
            name: f.name,
            content_type: f.content_type,
            size: f.pending.size,
            uploaded_by: actor.username.clone(),
            uploaded_at: at.to_string(),
            evidence_as_of: evidence_as_of.clone(),
        });
        f.pending
            .keep(&state.files)
            .await
            .map_err(|e| storage_failure("storing evidence", e))?;
    }
    Ok((attached, metas))
}

/// How a refused upload is told to the person who sent it.
pub fn upload_refusal(name: &str, e: FileError) -> ServiceError {
    match e {
        FileError::TooLarge { limit } => ServiceError::Invalid(FieldErrors::single(
            "files",
            format!("{name} is larger than the limit of {}.", human_bytes(limit)),
        )),
        FileError::Empty => {
            ServiceError::Invalid(FieldErrors::single("files", format!("{name} is empty.")))
        }
        FileError::Full | FileError::Io(_) => storage_failure("receiving a file", e),
    }
}

/// A file that could not be written: a full disk the person can be told
/// about (and that `/metrics` counts), or an internal error.
pub fn storage_failure(context: &str, e: FileError) -> ServiceError {
    use crate::storage_error::{record, StorageErrorKind};
    match e {
        FileError::Full => {
            record(StorageErrorKind::DiskFull);
            tracing::error!(
                context,
                "the evidence files' disk is full: the upload was refused"
            );
            ServiceError::StorageFull
        }
        other => {
            record(StorageErrorKind::Other);
            ServiceError::internal(context, other)
        }
    }
}

/// `26214400` → `25 MiB`, `1024` → `1 KiB`, `1000` → `1000 bytes`.
pub fn human_bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    if n >= KIB * KIB && n.is_multiple_of(KIB * KIB) {
        format!("{} MiB", n / (KIB * KIB))
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}
