-- Live-check results: one row per item per run, kept as history (append-only
-- like the ledger, but not hash-chained: they are observations, not attestations).
CREATE TABLE check_results (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id),
    item_id     TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'error')),
    reason      TEXT NOT NULL,
    observed    TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    at          TEXT NOT NULL
);

CREATE INDEX check_results_by_cluster_item ON check_results (cluster_id, item_id, id);

CREATE TRIGGER check_results_append_only_update BEFORE UPDATE ON check_results
BEGIN
    SELECT RAISE(ABORT, 'check results are append-only');
END;

CREATE TRIGGER check_results_append_only_delete BEFORE DELETE ON check_results
BEGIN
    SELECT RAISE(ABORT, 'check results are append-only');
END;
