//! The `attachments` table: which files belong to which ledger row, as
//! uploaded. Append-only; the files themselves are in the blob store.

use super::DbResult;
use shipshape_domain::attachment::AttachmentMeta;
use sqlx::FromRow;

#[async_trait::async_trait]
pub trait AttachmentRepo: Send {
    async fn insert(&mut self, ledger_seq: i64, a: &AttachmentMeta) -> DbResult<()>;
    /// The attachments of these ledger rows, by row, in one query.
    async fn for_rows(&mut self, seqs: &[i64]) -> DbResult<Vec<(i64, AttachmentMeta)>>;
    /// The newest record of a file, for its name and type on download.
    async fn by_sha(&mut self, sha256: &str) -> DbResult<Option<AttachmentMeta>>;
    /// Every distinct file any row names, by SHA-256 (backups and moves).
    async fn all_sha256(&mut self) -> DbResult<Vec<String>>;
}

#[derive(FromRow)]
pub(crate) struct AttachmentRow {
    pub ledger_seq: i64,
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub evidence_as_of: Option<String>,
}

impl AttachmentRow {
    pub(crate) fn meta(self) -> (i64, AttachmentMeta) {
        (
            self.ledger_seq,
            AttachmentMeta {
                sha256: self.sha256,
                name: self.name,
                content_type: self.content_type,
                size: u64::try_from(self.size).unwrap_or(0),
                uploaded_by: self.uploaded_by,
                uploaded_at: self.uploaded_at,
                evidence_as_of: self.evidence_as_of,
            },
        )
    }
}

pub(crate) const COLUMNS: &str =
    "ledger_seq, sha256, name, content_type, size, uploaded_by, uploaded_at, evidence_as_of";
