-- Evidence files attached to ledger rows (Day-2 completions and sign-offs).
-- The file itself lives under <data_dir>/attachments, named by its SHA-256;
-- each row here records one attachment of one ledger row, as uploaded.
-- Append-only, like the ledger it belongs to.
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

CREATE INDEX attachments_by_sha ON attachments (sha256);
CREATE INDEX attachments_by_row ON attachments (ledger_seq);
CREATE INDEX ledger_by_cluster_action ON ledger (cluster_id, action, item_id, seq);

CREATE TRIGGER attachments_append_only_update BEFORE UPDATE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are append-only: rows cannot be updated');
END;

CREATE TRIGGER attachments_append_only_delete BEFORE DELETE ON attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are append-only: rows cannot be deleted');
END;
