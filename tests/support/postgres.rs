//! The suite's second database: `scripts/test.sh` runs the integration
//! tests once on SQLite and once with `TEST_DATABASE=postgres` against
//! a throwaway PostgreSQL server whose admin URL is in
//! `TEST_POSTGRES_URL`. On that run every data directory gets a
//! fresh database of its own, made at its first server or command and
//! named in a file inside it, so a restart on the same data finds the same
//! database.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The file in a data directory that names its test database.
const URL_FILE: &str = "test-database-url";

/// Whether this run puts every server on PostgreSQL.
pub fn suite_on_postgres() -> bool {
    std::env::var("TEST_DATABASE").as_deref() == Ok("postgres")
}

/// The throwaway server's admin URL. Tests that need PostgreSQL whatever
/// the run fail without it, unless `TEST_SKIP_POSTGRES=1` says this
/// machine has none (then they return early, saying so).
pub fn admin_url() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("TEST_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!("TEST_SKIP_POSTGRES=1: skipping a PostgreSQL test");
            None
        }
        _ => panic!(
            "TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts a throwaway \\
             PostgreSQL (or set TEST_SKIP_POSTGRES=1 to skip these tests)"
        ),
    }
}

/// A new, empty database on the throwaway server; its URL.
pub fn fresh_database(admin: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        nanos
    );
    let out = Command::new("psql")
        .args([admin, "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "CREATE DATABASE failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut url = url::Url::parse(admin).expect("admin URL");
    url.set_path(&name);
    url.to_string()
}

/// The database URL a server or command on `data` uses in this run: none
/// (SQLite) unless the run is on PostgreSQL.
pub fn database_of(data: &Path) -> Option<String> {
    if !suite_on_postgres() {
        return None;
    }
    let file = data.join(URL_FILE);
    if let Ok(url) = std::fs::read_to_string(&file) {
        return Some(url.trim().to_string());
    }
    let admin = admin_url()?;
    let url = fresh_database(&admin);
    std::fs::create_dir_all(data).expect("data dir");
    std::fs::write(&file, &url).expect("write the test database's URL");
    Some(url)
}

/// Points a `shipshape` command at `data`'s database, unless the test
/// chose one itself.
pub fn use_database_of(cmd: &mut Command, data: &Path, env: &[(&str, &str)]) {
    if env.iter().any(|(k, _)| *k == "SHIPSHAPE_DATABASE_URL") {
        return;
    }
    match database_of(data) {
        Some(url) => {
            cmd.env("SHIPSHAPE_DATABASE_URL", url);
        }
        None => {
            cmd.env_remove("SHIPSHAPE_DATABASE_URL");
        }
    }
}

/// Runs SQL straight against a data directory's database, as someone with
/// the database owner's rights would (tampering, back-dating): the SQLite
/// file, or the run's PostgreSQL database. Each statement in turn; the
/// first error is returned.
pub async fn raw_sql(data: &Path, statements: &[&str]) -> Result<(), sqlx::Error> {
    use sqlx::{ConnectOptions, Connection};
    match database_of(data) {
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            for s in statements {
                sqlx::query(s).execute(&mut conn).await?;
            }
            conn.close().await
        }
        None => {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(data.join("shipshape.db"))
                .connect()
                .await?;
            for s in statements {
                sqlx::query(s).execute(&mut conn).await?;
            }
            conn.close().await
        }
    }
}

/// The statement that drops an append-only trigger, in this run's dialect.
pub fn drop_trigger(name: &str, table: &str) -> String {
    if suite_on_postgres() {
        format!("DROP TRIGGER {name} ON {table}")
    } else {
        format!("DROP TRIGGER {name}")
    }
}

/// A count read straight from a data directory's database.
pub async fn raw_count(data: &Path, sql: &str) -> Result<i64, sqlx::Error> {
    use sqlx::{ConnectOptions, Connection};
    match database_of(data) {
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            sqlx::query_scalar(sql).fetch_one(&mut conn).await
        }
        None => {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(data.join("shipshape.db"))
                .connect()
                .await?;
            sqlx::query_scalar(sql).fetch_one(&mut conn).await
        }
    }
}

/// Another process's write transaction, holding the database's single
/// writer lock until released.
pub enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    pub async fn take(data: &Path) -> Result<WriteLock, sqlx::Error> {
        use sqlx::{ConnectOptions, Connection};
        match database_of(data) {
            Some(url) => {
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                sqlx::query("BEGIN").execute(&mut conn).await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(shipshape_backend::store::postgres::WRITE_LOCK_KEY)
                    .execute(&mut conn)
                    .await?;
                Ok(WriteLock::Postgres(conn))
            }
            None => {
                let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(data.join("shipshape.db"))
                    .connect()
                    .await?;
                sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
                Ok(WriteLock::Sqlite(conn))
            }
        }
    }

    pub async fn release(self) -> Result<(), sqlx::Error> {
        match self {
            WriteLock::Sqlite(mut c) => sqlx::query("ROLLBACK").execute(&mut c).await.map(drop),
            WriteLock::Postgres(mut c) => sqlx::query("ROLLBACK").execute(&mut c).await.map(drop),
        }
    }
}
