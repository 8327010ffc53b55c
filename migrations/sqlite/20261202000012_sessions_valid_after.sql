-- "Sign out everywhere": sessions that began at or before this moment (unix
-- milliseconds) no longer count for the user.
ALTER TABLE users ADD COLUMN sessions_valid_after INTEGER;
