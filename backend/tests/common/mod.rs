//! What the service tests share: an `AppState` on a temp SQLite file, or on
//! a fresh PostgreSQL database when the suite runs there (see
//! `tests/support/postgres.rs`), and raw SQL for the tests that reach past
//! the services on purpose (tampering, back-dating).
#![allow(dead_code)]

#[path = "../../../tests/support/postgres.rs"]
pub mod postgres;

use shipshape_backend::config::{Config, Redacted};
use shipshape_backend::store::Store;
use shipshape_backend::AppState;

pub async fn state(dir: &tempfile::TempDir) -> AppState {
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url: postgres::database_of(dir.path()).map(Redacted::new),
        ..Config::default()
    };
    AppState::open(config).await.expect("state opens")
}

/// Runs one statement written with `?` placeholders on either database.
pub async fn execute(state: &AppState, sql: &str, binds: &[&str]) -> Result<(), sqlx::Error> {
    match &state.db {
        Store::Sqlite(pool) => {
            let mut q = sqlx::query(sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.execute(pool).await?;
        }
        Store::Postgres(pool) => {
            let sql = numbered(sql);
            let mut q = sqlx::query(&sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.execute(pool).await?;
        }
    }
    Ok(())
}

/// `?` placeholders as PostgreSQL's `$1, $2, …`.
fn numbered(sql: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Drops an append-only trigger (as someone with the database's owner
/// rights could).
pub async fn drop_trigger(state: &AppState, name: &str, table: &str) {
    let sql = match &state.db {
        Store::Sqlite(_) => format!("DROP TRIGGER {name}"),
        Store::Postgres(_) => format!("DROP TRIGGER {name} ON {table}"),
    };
    execute(state, &sql, &[]).await.expect("drop trigger");
}
