-- Private calendar feed links: calendar apps cannot log in, so each user may
-- hold one secret link. Only the SHA-256 of its token is stored.
CREATE TABLE calendar_links (
    token_sha256 TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL UNIQUE REFERENCES users (id),
    created_at   TEXT NOT NULL
);
