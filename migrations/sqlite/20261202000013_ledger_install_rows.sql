-- Install-level ledger rows (accounts: created, role changed, disabled,
-- enabled, password reset) belong to no cluster: they carry cluster_id 0.
-- The ledger's cluster_id therefore loses its reference to clusters.
-- SQLite cannot drop a constraint, so the ledger is rebuilt inside this
-- migration's transaction, with foreign keys on: the attachments (its only
-- child) are set aside, the ledger is copied row for row (every hash stays
-- valid) into a new table that takes its name, and the attachments come
-- back pointing at it. Indexes and append-only triggers are made again.

CREATE TABLE attachments_set_aside AS SELECT * FROM attachments;
DROP TABLE attachments;

CREATE TABLE ledger_rebuilt (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    cluster_id INTEGER NOT NULL,
    item_id    TEXT NOT NULL,
    action     TEXT NOT NULL,
    note       TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL UNIQUE,
    hash       TEXT NOT NULL UNIQUE
);
INSERT INTO ledger_rebuilt (seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash)
    SELECT seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash
    FROM ledger ORDER BY seq;
DROP TABLE ledger;
ALTER TABLE ledger_rebuilt RENAME TO ledger;

CREATE INDEX ledger_by_cluster_item ON ledger (cluster_id, item_id, seq);
CREATE INDEX ledger_signoffs_by_cluster_item ON ledger (cluster_id, item_id)
    WHERE action IN ('done', 'not_applicable', 'revoked');
CREATE INDEX ledger_by_cluster_action ON ledger (cluster_id, action, item_id, seq);
CREATE INDEX ledger_waivers_by_cluster ON ledger (cluster_id, seq)
    WHERE action IN ('waiver_requested', 'waiver_approved', 'waiver_rejected');

CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be updated');
END;

CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be deleted');
END;

CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    ledger_seq     INTEGER NOT NULL REFERENCES ledger (seq),
    sha256         TEXT NOT NULL,
    name           TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    TEXT NOT NULL,
    evidence_as_of TEXT
);
INSERT INTO attachments (id, ledger_seq, sha256, name, content_type, size, uploaded_by, uploaded_at, evidence_as_of)
    SELECT id, ledger_seq, sha256, name, content_type, size, uploaded_by, uploaded_at, evidence_as_of
    FROM attachments_set_aside ORDER BY id;
DROP TABLE attachments_set_aside;

CREATE INDEX attachments_by_sha ON attachments (sha256);
CREATE INDEX attachments_by_row ON attachments (ledger_seq);

CREATE TRIGGER attachments_append_only_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are append-only: rows cannot be updated');
END;

CREATE TRIGGER attachments_append_only_delete BEFORE DELETE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are append-only: rows cannot be deleted');
END;
