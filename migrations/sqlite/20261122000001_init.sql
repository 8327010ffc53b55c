-- Shipshape's first schema: users, clusters and the append-only sign-off ledger.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL COLLATE NOCASE UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'sre', 'manager', 'auditor')),
    created_at    TEXT NOT NULL
);

CREATE TABLE clusters (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL COLLATE NOCASE UNIQUE,
    environment     TEXT NOT NULL,
    coordinator_url TEXT NOT NULL,
    notes           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    archived_at     TEXT
);

-- Every sign-off, not-applicable and revocation is a new row. Rows are chained:
-- prev_hash is the hash of the row before (UNIQUE, so the chain cannot fork even
-- under concurrent writers), hash covers the row's content.
CREATE TABLE ledger (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    cluster_id INTEGER NOT NULL REFERENCES clusters (id),
    item_id    TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL UNIQUE,
    hash       TEXT NOT NULL UNIQUE
);

CREATE INDEX ledger_by_cluster_item ON ledger (cluster_id, item_id, seq);

CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be updated');
END;

CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be deleted');
END;
