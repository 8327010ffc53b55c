-- Where each account is kept: 'local' (a password Shipshape stores),
-- 'ldap' or 'oidc' (made at the person's first login through a directory or
-- an OpenID provider; no local password opens them, and their role follows
-- the directory's groups at each login).
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
    CHECK (source IN ('local', 'ldap', 'oidc'));
