-- How live checks connect to each cluster: Trino user, authentication,
-- TLS trust and timeouts, as JSON (shipshape_domain::connection::Connection).
-- It names secrets by environment variable; it never holds one.
ALTER TABLE clusters ADD COLUMN connection TEXT NOT NULL DEFAULT '{"check_user":null,"auth":{"method":"none"},"ca_file":null,"insecure_tls":false,"connect_timeout_secs":5,"query_timeout_secs":null}';
