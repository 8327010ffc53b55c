-- The newest sign-off per (cluster, item) is read for every checklist and for
-- the fleet page. A partial index with the same condition as those queries
-- lets SQLite answer them from the index alone (seq is the rowid), instead of
-- reading every ledger row to test its action. Measured on 100k rows: see
-- the fleet benchmark.
CREATE INDEX ledger_signoffs_by_cluster_item ON ledger (cluster_id, item_id)
    WHERE action IN ('done', 'not_applicable', 'revoked');
