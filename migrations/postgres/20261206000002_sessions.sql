-- Login sessions (tower-sessions' PostgreSQL store, with the table named
-- `sessions` in the public schema): made here, under the migrator's lock,
-- rather than by the store at start-up, where replicas starting together
-- would race to create it. Any replica serves a session another began.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expiry_date);
