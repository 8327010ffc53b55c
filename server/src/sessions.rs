//! Where login sessions are kept: beside everything else, in the install's
//! database, under the SHA-256 of the cookie's id (never the id itself) (SQLite's `sessions` table, or PostgreSQL's `public.sessions`,
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

/// The id a session is stored under: the SHA-256 of the id in the
/// person's cookie (its first 16 bytes). A copy of the database, its WAL or
/// a backup then holds no id that would open a live session.
fn stored_id(id: &Id) -> Id {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(id.0.to_le_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Id(i128::from_le_bytes(bytes))
}

/// `record` as stored: the same, under its hashed id.
fn stored(record: &Record) -> Record {
    let mut r = record.clone();
    r.id = stored_id(&record.id);
    r
}

impl Sessions {
    async fn save_stored(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new random id whose hash is not stored yet (a collision of
        // 128-bit random ids is not expected, but never reuse one).
        loop {
            if self.load(&record.id).await?.is_none() {
                break;
            }
            record.id = Id::default();
        }
        self.save_stored(&stored(record)).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.save_stored(&stored(record)).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let found = match self {
            Sessions::Sqlite(s) => s.load(&stored_id(id)).await,
            Sessions::Postgres(s) => s.load(&stored_id(id)).await,
        }?;
        Ok(found.map(|mut r| {
            r.id = *id;
            r
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete(&stored_id(id)).await,
            Sessions::Postgres(s) => s.delete(&stored_id(id)).await,
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
