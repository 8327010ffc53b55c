//! PostgreSQL: the `attachments` table (append-only by triggers).

use super::PgRepos;
use crate::repo::attachments::{AttachmentRepo, AttachmentRow, COLUMNS};
use crate::repo::DbResult;
use shipshape_domain::attachment::AttachmentMeta;

#[async_trait::async_trait]
impl AttachmentRepo for PgRepos {
    async fn insert(&mut self, ledger_seq: i64, a: &AttachmentMeta) -> DbResult<()> {
        sqlx::query(&format!(
            "INSERT INTO attachments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(ledger_seq)
        .bind(&a.sha256)
        .bind(&a.name)
        .bind(&a.content_type)
        .bind(i64::try_from(a.size).unwrap_or(i64::MAX))
        .bind(&a.uploaded_by)
        .bind(&a.uploaded_at)
        .bind(&a.evidence_as_of)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn for_rows(&mut self, seqs: &[i64]) -> DbResult<Vec<(i64, AttachmentMeta)>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        // One BIGINT[] parameter, where SQLite reads a JSON list.
        let sql =
            format!("SELECT {COLUMNS} FROM attachments WHERE ledger_seq = ANY($1) ORDER BY id");
        let rows = sqlx::query_as::<_, AttachmentRow>(&sql)
            .bind(seqs)
            .fetch_all(self.c())
            .await?;
        Ok(rows.into_iter().map(AttachmentRow::meta).collect())
    }

    async fn by_sha(&mut self, sha256: &str) -> DbResult<Option<AttachmentMeta>> {
        let sql =
            format!("SELECT {COLUMNS} FROM attachments WHERE sha256 = $1 ORDER BY id DESC LIMIT 1");
        let row = sqlx::query_as::<_, AttachmentRow>(&sql)
            .bind(sha256)
            .fetch_optional(self.c())
            .await?;
        Ok(row.map(|r| r.meta().1))
    }

    async fn all_sha256(&mut self) -> DbResult<Vec<String>> {
        sqlx::query_scalar("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256")
            .fetch_all(self.c())
            .await
    }
}
