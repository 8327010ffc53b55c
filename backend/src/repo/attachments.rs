//! The `attachments` table: which files belong to which ledger row, as
//! uploaded. Append-only; the files themselves are in the blob store.

use shipshape_domain::attachment::AttachmentMeta;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

#[derive(FromRow)]
struct Row {
    ledger_seq: i64,
    sha256: String,
    name: String,
    content_type: String,
    size: i64,
    uploaded_by: String,
    uploaded_at: String,
    evidence_as_of: Option<String>,
}

impl Row {
    fn meta(self) -> (i64, AttachmentMeta) {
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

const COLUMNS: &str =
    "ledger_seq, sha256, name, content_type, size, uploaded_by, uploaded_at, evidence_as_of";

pub async fn insert(
    conn: &mut SqliteConnection,
    ledger_seq: i64,
    a: &AttachmentMeta,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO attachments ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(ledger_seq)
    .bind(&a.sha256)
    .bind(&a.name)
    .bind(&a.content_type)
    .bind(i64::try_from(a.size).unwrap_or(i64::MAX))
    .bind(&a.uploaded_by)
    .bind(&a.uploaded_at)
    .bind(&a.evidence_as_of)
    .execute(conn)
    .await?;
    Ok(())
}

/// The attachments of these ledger rows, by row, in one query.
pub async fn for_rows(
    db: impl SqliteExecutor<'_>,
    seqs: &[i64],
) -> Result<Vec<(i64, AttachmentMeta)>, sqlx::Error> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(seqs).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments
         WHERE ledger_seq IN (SELECT value FROM json_each(?)) ORDER BY id"
    );
    let rows = sqlx::query_as::<_, Row>(&sql)
        .bind(list)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Row::meta).collect())
}

/// The newest record of a file, for its name and type on download.
pub async fn by_sha(
    db: impl SqliteExecutor<'_>,
    sha256: &str,
) -> Result<Option<AttachmentMeta>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM attachments WHERE sha256 = ? ORDER BY id DESC LIMIT 1");
    let row = sqlx::query_as::<_, Row>(&sql)
        .bind(sha256)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.meta().1))
}
