//! The `attachments` table: which files belong to which ledger row, as
//! uploaded. Append-only (the schema's triggers refuse updates and
//! deletes); the files themselves are in the blob store.

use super::{on_db, Conn, DbResult};
use shipshape_domain::attachment::AttachmentMeta;
use shipshape_domain::ids::Seq;
use sqlx::FromRow;
use std::sync::LazyLock;

#[derive(FromRow)]
pub(crate) struct AttachmentRow {
    #[sqlx(try_from = "i64")]
    pub ledger_seq: Seq,
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub evidence_as_of: Option<String>,
}

impl AttachmentRow {
    pub(crate) fn meta(self) -> (Seq, AttachmentMeta) {
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

/// The `attachments` table on one connection.
pub struct Attachments<'c>(&'c mut Conn);

impl Conn {
    pub fn attachments(&mut self) -> Attachments<'_> {
        Attachments(self)
    }
}

impl Attachments<'_> {
    pub async fn insert(self, ledger_seq: Seq, a: &AttachmentMeta) -> DbResult<()> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("INSERT INTO attachments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        });
        let size = i64::try_from(a.size).unwrap_or(i64::MAX);
        on_db!(self.0, |db| sqlx::query(SQL.as_str())
            .bind(ledger_seq.get())
            .bind(&a.sha256)
            .bind(&a.name)
            .bind(&a.content_type)
            .bind(size)
            .bind(&a.uploaded_by)
            .bind(&a.uploaded_at)
            .bind(&a.evidence_as_of)
            .execute(db)
            .await
            // Each driver has its own result type: only success is kept.
            .map(|_| ()))
    }

    /// The attachments of these ledger rows, by row, in one query.
    pub async fn for_rows(self, seqs: &[Seq]) -> DbResult<Vec<(Seq, AttachmentMeta)>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let seqs: Vec<i64> = seqs.iter().map(|s| s.get()).collect();
        let rows = on_db!(self.0, |db, d| {
            // The list is one parameter: a JSON text on SQLite, an array
            // on PostgreSQL (see `in_list`).
            static SQL: LazyLock<String> = LazyLock::new(|| {
                format!(
                    "SELECT {COLUMNS} FROM attachments WHERE {} ORDER BY id",
                    d::in_list("ledger_seq", "$1")
                )
            });
            sqlx::query_as::<_, AttachmentRow>(SQL.as_str())
                .bind(d::list_arg(&seqs)?)
                .fetch_all(db)
                .await
        })?;
        Ok(rows.into_iter().map(AttachmentRow::meta).collect())
    }

    /// The newest record of a file, for its name and type on download.
    pub async fn by_sha(self, sha256: &str) -> DbResult<Option<AttachmentMeta>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM attachments WHERE sha256 = $1 ORDER BY id DESC LIMIT 1")
        });
        let row = on_db!(self.0, |db| sqlx::query_as::<_, AttachmentRow>(
            SQL.as_str()
        )
        .bind(sha256)
        .fetch_optional(db)
        .await)?;
        Ok(row.map(|r| r.meta().1))
    }

    /// Every distinct file any row names, by SHA-256 (backups and moves).
    pub async fn all_sha256(self) -> DbResult<Vec<String>> {
        on_db!(self.0, |db| sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT sha256 FROM attachments ORDER BY sha256"
        )
        .fetch_all(db)
        .await)
    }
}
