-- OpenID Connect accounts are bound to the provider's issuer and subject
-- at their first login and found by them afterwards (a name the person can
-- change never decides which account they get). Directory accounts record
-- when the directory or provider last vouched for them.
ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
ALTER TABLE users ADD COLUMN directory_checked_at TEXT;
CREATE UNIQUE INDEX users_oidc_identity ON users (oidc_issuer, oidc_subject)
    WHERE oidc_subject IS NOT NULL;
