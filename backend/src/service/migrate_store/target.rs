//! The target: a PostgreSQL database with this version's schema (its
//! migrations were applied when it was opened) that holds no rows yet.

use super::source::compare;
use super::tables::{self, Kind};
use super::{db, MigrateError};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Where a URL points, for messages: host, port and database, never the
/// user name or password.
pub fn describe(url: &str) -> String {
    match PgConnectOptions::from_str(url) {
        Ok(o) => format!(
            "postgres://{}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or_default()
        ),
        Err(_) => "the target database".into(),
    }
}

/// The target's tables, columns and identity columns are the list's.
pub async fn check_schema(conn: &mut PgConnection) -> Result<(), MigrateError> {
    let found: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_identity::text
         FROM information_schema.columns
         WHERE table_schema = current_schema()
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db("reading the target's schema"))?;
    let mut by_table: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut identities = Vec::new();
    for (table, column, ty, identity) in found {
        if identity == "YES" {
            identities.push(format!("{table}.{column}"));
        }
        by_table.entry(table).or_default().push((column, ty));
    }
    compare("target (PostgreSQL)", &by_table, Kind::postgres_type)?;
    let mut expected: Vec<String> = tables::TABLES
        .iter()
        .filter_map(|t| t.identity.map(|c| format!("{}.{c}", t.name)))
        .collect();
    identities.retain(|i| !tables::is_skipped(i.split('.').next().unwrap_or_default()));
    identities.sort();
    expected.sort();
    if identities != expected {
        return Err(MigrateError::Refused(format!(
            "the target (PostgreSQL) schema is not the one this version copies: identity columns {identities:?}, expected {expected:?}"
        )));
    }
    Ok(())
}

/// Refuses a target that holds any row (bookkeeping a first start wrote
/// aside).
pub async fn ensure_empty(conn: &mut PgConnection, target: &str) -> Result<(), MigrateError> {
    for t in tables::TABLES.iter().filter(|t| !t.replaced) {
        let any: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {})", t.name))
            .fetch_one(&mut *conn)
            .await
            .map_err(db(format!("reading the target's {}", t.name)))?;
        if any {
            let what = match t.name {
                "ledger" => "ledger rows".to_string(),
                "users" => "users".to_string(),
                other => format!("rows in {other}"),
            };
            return Err(MigrateError::Refused(format!(
                "the target database {target} is not empty: it already holds {what}. migrate-store only fills an empty database: create a new one (CREATE DATABASE … ENCODING 'UTF8') and migrate into that"
            )));
        }
    }
    Ok(())
}

/// Removes the bookkeeping rows a server wrote at its first start on the
/// (otherwise empty) target: the source's come in their place.
pub async fn clear_replaced(conn: &mut PgConnection) -> Result<(), MigrateError> {
    for t in tables::TABLES.iter().filter(|t| t.replaced) {
        sqlx::query(&format!("DELETE FROM {}", t.name))
            .execute(&mut *conn)
            .await
            .map_err(db(format!("clearing the target's {}", t.name)))?;
    }
    Ok(())
}
