-- Disabled accounts: their sessions and API tokens stop working at once,
-- and they cannot log in. Set and cleared by admins; each change is a
-- ledger row.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
