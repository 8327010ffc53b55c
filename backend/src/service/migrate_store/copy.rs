//! Copies one table, whatever its columns: rows are streamed from SQLite in
//! key order (constant memory for any size) and sent to PostgreSQL
//! [`BATCH_ROWS`] at a time, one array per column through `UNNEST`, so a
//! statement has as many parameters as the table has columns however many
//! rows it carries. Values are kept as they are; SQLite's 0/1 booleans
//! become PostgreSQL's `BOOLEAN`. Text with a NUL character, which SQLite
//! holds and PostgreSQL cannot, is refused by name.

use super::tables::{Kind, Table, TABLES};
use super::{db, MigrateError};
use futures::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgConnection, Row, SqliteConnection};

/// Rows per INSERT.
pub const BATCH_ROWS: usize = 1000;

/// One column's values for a batch.
enum Values {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
}

impl Values {
    fn new(kind: Kind) -> Values {
        match kind {
            Kind::Int => Values::Int(Vec::with_capacity(BATCH_ROWS)),
            Kind::Text => Values::Text(Vec::with_capacity(BATCH_ROWS)),
            Kind::Bool => Values::Bool(Vec::with_capacity(BATCH_ROWS)),
        }
    }
}

/// Rows read but not yet sent.
struct Batch<'t> {
    table: &'t Table,
    insert: String,
    columns: Vec<Values>,
    /// Rows held now.
    rows: usize,
    /// Rows read so far.
    read: u64,
}

impl<'t> Batch<'t> {
    fn new(table: &'t Table) -> Batch<'t> {
        let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        let arrays: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("${}::{}", i + 1, c.kind.postgres_array()))
            .collect();
        let overriding = if table.identity.is_some() {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        Batch {
            table,
            insert: format!(
                "INSERT INTO {} ({}){overriding} SELECT * FROM UNNEST({})",
                table.name,
                names.join(", "),
                arrays.join(", ")
            ),
            columns: table.columns.iter().map(|c| Values::new(c.kind)).collect(),
            rows: 0,
            read: 0,
        }
    }

    fn push(&mut self, row: &SqliteRow) -> Result<(), MigrateError> {
        let name = self.table.name;
        for (i, (values, column)) in self.columns.iter_mut().zip(self.table.columns).enumerate() {
            let read = |e| MigrateError::Db {
                context: format!("reading {name}.{} from the source", column.name),
                source: e,
            };
            match values {
                Values::Int(v) => v.push(row.try_get(i).map_err(read)?),
                Values::Text(v) => {
                    let text: Option<String> = row.try_get(i).map_err(read)?;
                    if text.as_deref().is_some_and(|t| t.contains('\0')) {
                        return Err(MigrateError::Refused(format!(
                            "{name}.{} holds a NUL character in the source (row {} in {} order), which PostgreSQL cannot store",
                            column.name,
                            self.read + 1,
                            self.table.order_by
                        )));
                    }
                    v.push(text);
                }
                Values::Bool(v) => {
                    let n: Option<i64> = row.try_get(i).map_err(read)?;
                    v.push(match n {
                        None => None,
                        Some(0) => Some(false),
                        Some(1) => Some(true),
                        Some(other) => {
                            return Err(MigrateError::Refused(format!(
                            "{name}.{} holds {other} in the source, where only 0 or 1 is allowed",
                            column.name
                        )))
                        }
                    });
                }
            }
        }
        self.rows += 1;
        self.read += 1;
        Ok(())
    }

    /// Sends the rows held (if any) in one INSERT.
    async fn flush(&mut self, dst: &mut PgConnection) -> Result<(), MigrateError> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut query = sqlx::query(&self.insert);
        for (values, column) in self.columns.iter_mut().zip(self.table.columns) {
            let fresh = Values::new(column.kind);
            query = match std::mem::replace(values, fresh) {
                Values::Int(v) => query.bind(v),
                Values::Text(v) => query.bind(v),
                Values::Bool(v) => query.bind(v),
            };
        }
        query
            .execute(&mut *dst)
            .await
            .map_err(db(format!("copying {} into the target", self.table.name)))?;
        self.rows = 0;
        Ok(())
    }
}

/// Copies every row of `table` from `src` to `dst`; returns how many.
pub async fn table(
    src: &mut SqliteConnection,
    dst: &mut PgConnection,
    table: &Table,
) -> Result<u64, MigrateError> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let select = format!(
        "SELECT {} FROM {} ORDER BY {}",
        names.join(", "),
        table.name,
        table.order_by
    );
    let mut batch = Batch::new(table);
    let mut copied = 0u64;
    let mut rows = sqlx::query(&select).fetch(&mut *src);
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(db(format!("reading {} from the source", table.name)))?
    {
        batch.push(&row)?;
        copied += 1;
        if batch.rows >= BATCH_ROWS {
            batch.flush(dst).await?;
        }
    }
    batch.flush(dst).await?;
    Ok(copied)
}

/// Moves every identity sequence past the largest copied id, so that the
/// next row the server inserts gets a new one.
pub async fn reset_identities(dst: &mut PgConnection) -> Result<(), MigrateError> {
    for t in TABLES {
        let Some(id) = t.identity else {
            continue;
        };
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{id}'), COALESCE(MAX({id}), 0) + 1, false) FROM {table}",
            table = t.name
        );
        sqlx::query(&sql)
            .execute(&mut *dst)
            .await
            .map_err(db(format!("resetting the id sequence of {}", t.name)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tables::find;
    use super::*;
    use sqlx::{Connection, Executor};

    async fn rows(setup: &str, select: &str) -> Vec<SqliteRow> {
        let mut db = SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        db.execute(setup).await.expect("setup");
        sqlx::query(select).fetch_all(&mut db).await.expect("rows")
    }

    #[tokio::test]
    async fn booleans_convert_and_what_postgres_cannot_hold_is_refused() {
        let (Some(tokens), Some(state)) = (find("api_tokens"), find("item_state")) else {
            panic!("tables listed");
        };
        let got = rows(
            "CREATE TABLE t (id, user_id, name, token_sha256, read_only, created_at, expires_at, last_used_at, revoked_at);
             INSERT INTO t VALUES (1, 1, 'ci', 'x', 0, 'a', 'b', NULL, NULL), (2, 1, 'ro', 'y', 1, 'a', 'b', 'c', NULL), (3, 1, 'bad', 'z', 2, 'a', 'b', NULL, NULL);",
            "SELECT * FROM t ORDER BY id",
        )
        .await;
        let mut batch = Batch::new(tokens);
        assert!(batch.push(&got[0]).is_ok() && batch.push(&got[1]).is_ok());
        match &batch.columns[4] {
            Values::Bool(v) => assert_eq!(v, &[Some(false), Some(true)]),
            _ => panic!("read_only is a boolean"),
        }
        let e = batch.push(&got[2]).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("api_tokens.read_only holds 2")));
        assert!(batch.insert.starts_with(
            "INSERT INTO api_tokens (id, user_id, name, token_sha256, read_only, created_at, expires_at, last_used_at, revoked_at) OVERRIDING SYSTEM VALUE SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::boolean[]"
        ));

        let got = rows(
            "CREATE TABLE t (cluster_id, item_id, state); INSERT INTO t VALUES (1, 'a' || char(0) || 'b', '{}');",
            "SELECT * FROM t",
        )
        .await;
        let e = Batch::new(state).push(&got[0]).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("item_state.item_id holds a NUL character")));
    }
}
