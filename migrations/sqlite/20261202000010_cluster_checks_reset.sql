-- When a cluster's check target last changed (URL, authentication, TLS or
-- check user), and why: results from before it do not count. The change
-- itself is a `cluster_changed` row in the ledger.
ALTER TABLE clusters ADD COLUMN checks_reset_at TEXT;
ALTER TABLE clusters ADD COLUMN checks_reset_reason TEXT;
