-- API tokens for automation: shown once, stored as SHA-256; used with
-- `Authorization: Bearer` on the JSON API and exports with the owner's role
-- (or read-only). Revoked, never deleted.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    read_only    INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
