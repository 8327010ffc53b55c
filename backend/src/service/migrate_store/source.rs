//! The source: an install's SQLite file, opened read-only. It must exist,
//! have every migration of this version applied (and none this version
//! does not know), and hold exactly the tables and columns of
//! [`super::tables`].

use super::tables::{self, Kind};
use super::{db, MigrateError};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Opens `path` read-only and checks its migrations and schema.
pub async fn open(path: &Path) -> Result<SqliteConnection, MigrateError> {
    if !path.is_file() {
        return Err(MigrateError::Refused(format!(
            "the source database {} does not exist (give the SQLite file of the install, such as sqlite:data/shipshape.db)",
            path.display()
        )));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .map_err(db(format!("opening {}", path.display())))?;
    check_migrations(&mut conn, path).await?;
    check_schema(&mut conn).await?;
    Ok(conn)
}

/// Every migration of this version applied, successfully and as written.
async fn check_migrations(conn: &mut SqliteConnection, path: &Path) -> Result<(), MigrateError> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db("reading the source's migrations"))?;
    if !has_table {
        return Err(MigrateError::Refused(format!(
            "{} is not a Shipshape database (it has no migrations table)",
            path.display()
        )));
    }
    let applied: Vec<(i64, bool, Vec<u8>)> =
        sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading the source's migrations"))?;
    let applied: BTreeMap<i64, (bool, Vec<u8>)> = applied
        .into_iter()
        .map(|(v, ok, sum)| (v, (ok, sum)))
        .collect();
    let known = crate::store::sqlite::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration());
    for m in known {
        match applied.get(&m.version) {
            Some((true, sum)) if sum.as_slice() == &*m.checksum => {}
            Some((true, _)) => {
                return Err(MigrateError::Refused(format!(
                    "migration {} of the source differs from this version's: the source was made by another build of Shipshape",
                    m.version
                )))
            }
            Some((false, _)) => {
                return Err(MigrateError::Refused(format!(
                    "migration {} failed on the source; start the server once on it to finish its migrations, then stop it",
                    m.version
                )))
            }
            None => {
                return Err(MigrateError::Refused(format!(
                    "the source database is not up to date (migration {} {} is not applied): start this version of the server once on it, so that it migrates it, stop it, then migrate",
                    m.version, m.description
                )))
            }
        }
    }
    if let Some(v) = applied
        .keys()
        .find(|v| !crate::store::sqlite::MIGRATOR.version_exists(**v))
    {
        return Err(MigrateError::Refused(format!(
            "the source database has migration {v}, which this version does not know: migrate it with the newer shipshape that made it"
        )));
    }
    Ok(())
}

/// The source's tables and columns are the list's, with the same types.
pub async fn check_schema(conn: &mut SqliteConnection) -> Result<(), MigrateError> {
    let found: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.name, c.name, upper(c.type) FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db("reading the source's schema"))?;
    let mut by_table: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (table, column, ty) in found {
        by_table.entry(table).or_default().push((column, ty));
    }
    compare("source (SQLite)", &by_table, Kind::sqlite_type)
}

/// Checks a schema read from a database against the list: the same
/// tables (besides those not copied), each with the same columns, each
/// declared as `declared` says.
pub fn compare(
    side: &str,
    found: &BTreeMap<String, Vec<(String, String)>>,
    declared: fn(Kind) -> &'static str,
) -> Result<(), MigrateError> {
    let refuse = |what: String| {
        Err(MigrateError::Refused(format!(
            "the {side} schema is not the one this version copies: {what}"
        )))
    };
    for (name, columns) in found {
        if tables::is_skipped(name) {
            continue;
        }
        let Some(table) = tables::find(name) else {
            return refuse(format!("unknown table {name}"));
        };
        for (column, ty) in columns {
            match table.columns.iter().find(|c| c.name == column) {
                None => return refuse(format!("unknown column {name}.{column}")),
                Some(c) if !ty.eq_ignore_ascii_case(declared(c.kind)) => {
                    return refuse(format!(
                        "{name}.{column} is {ty}, expected {}",
                        declared(c.kind)
                    ))
                }
                Some(_) => {}
            }
        }
        if let Some(c) = table
            .columns
            .iter()
            .find(|c| !columns.iter().any(|(n, _)| n == c.name))
        {
            return refuse(format!("column {name}.{} is missing", c.name));
        }
    }
    if let Some(t) = tables::TABLES.iter().find(|t| !found.contains_key(t.name)) {
        return refuse(format!("table {} is missing", t.name));
    }
    Ok(())
}

/// The ledger's newest row: (seq, hash), (0, "") when it is empty.
pub async fn head(conn: &mut SqliteConnection) -> Result<(i64, String), MigrateError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("reading the source's ledger head"))?;
    Ok(row.unwrap_or((0, String::new())))
}

/// Every evidence file the source's `attachments` table names, once.
pub async fn attachment_hashes(conn: &mut SqliteConnection) -> Result<Vec<String>, MigrateError> {
    sqlx::query_scalar("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256")
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading the source's attachments"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// The list is this version's SQLite schema: a database made by every
    /// migration passes the checks (a new migration that adds a table or
    /// a column fails here until the list has it).
    #[tokio::test]
    async fn a_migrated_database_matches_the_list() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shipshape.db");
        let pool = crate::store::sqlite::connect(&path)
            .await
            .expect("migrated");
        pool.close().await;
        let conn = open(&path).await.expect("the checks pass");
        conn.close().await.expect("close");
    }

    #[tokio::test]
    async fn a_database_behind_or_missing_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shipshape.db");
        let err = open(&path).await.err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("does not exist")));
        let pool = crate::store::sqlite::connect(&path)
            .await
            .expect("migrated");
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(&pool)
            .await
            .expect("forget one");
        pool.close().await;
        let err = open(&path).await.err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("start this version of the server once")),
            "{err:?}"
        );
    }

    #[test]
    fn an_unknown_column_is_refused() {
        let mut found: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for t in tables::TABLES {
            found.insert(
                t.name.into(),
                t.columns
                    .iter()
                    .map(|c| (c.name.to_string(), Kind::sqlite_type(c.kind).to_string()))
                    .collect(),
            );
        }
        assert!(compare("x", &found, Kind::sqlite_type).is_ok());
        if let Some(users) = found.get_mut("users") {
            users.push(("favourite_colour".into(), "TEXT".into()));
        }
        let err = compare("x", &found, Kind::sqlite_type)
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("users.favourite_colour")));
    }
}
