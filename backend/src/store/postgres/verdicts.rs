//! PostgreSQL: the `check_verdicts`, `cluster_facts` and
//! `trino_versions_seen` tables.

use super::PgRepos;
use crate::repo::verdicts::{facts_json, facts_map, failing_map, seen_day, VerdictRow};
use crate::repo::{DbResult, VerdictRepo};
use chrono::NaiveDate;
use shipshape_domain::check::{CheckStatus, VerdictState};
use shipshape_domain::drift::ClusterFacts;
use std::collections::{HashMap, HashSet};

#[async_trait::async_trait]
impl VerdictRepo for PgRepos {
    async fn of_cluster(&mut self, cluster_id: i64) -> DbResult<HashMap<String, VerdictState>> {
        let rows = sqlx::query_as::<_, VerdictRow>(
            "SELECT item_id, effective, effective_since, streak_status, streak, streak_since
             FROM check_verdicts WHERE cluster_id = $1",
        )
        .bind(cluster_id)
        .fetch_all(self.c())
        .await?;
        Ok(rows.into_iter().map(VerdictRow::into_state).collect())
    }

    async fn upsert(
        &mut self,
        cluster_id: i64,
        item_id: &str,
        s: &VerdictState,
        at: &str,
    ) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO check_verdicts (cluster_id, item_id, effective, effective_since, streak_status, streak, streak_since, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (cluster_id, item_id) DO UPDATE SET
               effective = excluded.effective, effective_since = excluded.effective_since,
               streak_status = excluded.streak_status, streak = excluded.streak,
               streak_since = excluded.streak_since, updated_at = excluded.updated_at",
        )
        .bind(cluster_id)
        .bind(item_id)
        .bind(s.effective.map(CheckStatus::as_str))
        .bind(&s.effective_since)
        .bind(s.streak_status.unwrap_or(CheckStatus::Error).as_str())
        .bind(i64::from(s.streak.max(1)))
        .bind(s.streak_since.as_deref().unwrap_or(at))
        .bind(at)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn reset_cluster(&mut self, cluster_id: i64) -> DbResult<()> {
        sqlx::query("DELETE FROM check_verdicts WHERE cluster_id = $1")
            .bind(cluster_id)
            .execute(self.c())
            .await?;
        sqlx::query("DELETE FROM cluster_facts WHERE cluster_id = $1")
            .bind(cluster_id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn failing_all(&mut self) -> DbResult<HashMap<i64, HashSet<String>>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT cluster_id, item_id FROM check_verdicts WHERE effective = 'fail'",
        )
        .fetch_all(self.c())
        .await?;
        Ok(failing_map(rows))
    }

    async fn record_facts(
        &mut self,
        cluster_id: i64,
        facts: &ClusterFacts,
        release: Option<u32>,
        at: &str,
    ) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO cluster_facts (cluster_id, facts, at) VALUES ($1, $2, $3)
             ON CONFLICT (cluster_id) DO UPDATE SET facts = excluded.facts, at = excluded.at",
        )
        .bind(cluster_id)
        .bind(facts_json(facts)?)
        .bind(at)
        .execute(self.c())
        .await?;
        if let Some(v) = release {
            // The first sighting stays: a later one inserts nothing.
            sqlx::query(
                "INSERT INTO trino_versions_seen (version, first_seen, cluster_id) VALUES ($1, $2, $3)
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(i64::from(v))
            .bind(at)
            .bind(cluster_id)
            .execute(self.c())
            .await?;
        }
        Ok(())
    }

    async fn facts_all(&mut self) -> DbResult<HashMap<i64, (ClusterFacts, String)>> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT cluster_id, facts, at FROM cluster_facts")
                .fetch_all(self.c())
                .await?;
        Ok(facts_map(rows))
    }

    async fn first_seen(&mut self, version: u32) -> DbResult<Option<NaiveDate>> {
        let seen: Option<String> =
            sqlx::query_scalar("SELECT first_seen FROM trino_versions_seen WHERE version = $1")
                .bind(i64::from(version))
                .fetch_optional(self.c())
                .await?;
        Ok(seen_day(seen))
    }
}
