//! Where login sessions are kept: beside everything else, in the install's
//! database (SQLite's `sessions` table, or PostgreSQL's `public.sessions`,
//! so any replica serves a session another replica began). One type for
//! the session layer whichever database it is.

use shipshape_backend::store::Store;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Debug, Clone)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// The store for this database, its table made if missing. On
    /// PostgreSQL the table comes with the embedded migrations (made under
    /// their lock, so replicas starting together do not race to create it).
    pub async fn open(db: &Store) -> Result<Sessions, sqlx::Error> {
        let bad_name = |e: String| sqlx::Error::Configuration(e.into());
        match db {
            Store::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone())
                    .with_table_name("sessions")
                    .map_err(bad_name)?;
                store.migrate().await?;
                Ok(Sessions::Sqlite(store))
            }
            Store::Postgres(pool) => Ok(Sessions::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .map_err(bad_name)?
                    .with_table_name("sessions")
                    .map_err(bad_name)?,
            )),
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.create(record).await,
            Sessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite(s) => s.load(id).await,
            Sessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete(id).await,
            Sessions::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete_expired().await,
            Sessions::Postgres(s) => s.delete_expired().await,
        }
    }
}
