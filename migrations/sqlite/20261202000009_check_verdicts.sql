-- Live-check verdicts that count (the flapping rule) and what check runs
-- learnt about each cluster. Both are kept with each run, in the same
-- transaction as its results; every change of a counting verdict is also a
-- `check_verdict` row in the ledger, which stays the source of truth for
-- history.

-- Per cluster and item: the counting verdict and the newest run's streak.
CREATE TABLE check_verdicts (
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id),
    item_id         TEXT NOT NULL,
    effective       TEXT CHECK (effective IN ('pass', 'warn', 'fail', 'error')),
    effective_since TEXT,
    streak_status   TEXT NOT NULL CHECK (streak_status IN ('pass', 'warn', 'fail', 'error')),
    streak          INTEGER NOT NULL CHECK (streak >= 1),
    streak_since    TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (cluster_id, item_id)
);

-- Per cluster: the newest facts a check run read (Trino and Java versions,
-- catalogs, spill and execution-time settings), as JSON; for fleet drift.
CREATE TABLE cluster_facts (
    cluster_id INTEGER PRIMARY KEY REFERENCES clusters (id),
    facts      TEXT NOT NULL,
    at         TEXT NOT NULL
);

-- Each Trino release number seen running, with the first cluster and time:
-- the newest one counts as a known release for the "close to upstream" check.
CREATE TABLE trino_versions_seen (
    version    INTEGER PRIMARY KEY,
    first_seen TEXT NOT NULL,
    cluster_id INTEGER NOT NULL REFERENCES clusters (id)
);
