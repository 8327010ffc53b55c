-- OpenID Connect accounts are bound to the provider's issuer and subject
-- at their first login and found by them afterwards (a name the person can
-- change never decides which account they get). Directory accounts record
-- when the directory or provider last vouched for them.
ALTER TABLE users ADD COLUMN oidc_issuer TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN oidc_subject TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN directory_checked_at TEXT COLLATE "C";
CREATE UNIQUE INDEX users_oidc_identity ON users (oidc_issuer, oidc_subject)
    WHERE oidc_subject IS NOT NULL;

-- Failed logins, shared by every replica: one row per failure and key
-- (`p:user@address`, `a:address`, `g`), unix seconds; rows older than the
-- limiter's window are deleted as new failures arrive.
CREATE TABLE login_failures (
    key TEXT COLLATE "C" NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
