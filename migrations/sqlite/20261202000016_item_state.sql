-- The read model kept with the ledger: per cluster × item, the state the
-- standing rule and the Day-2 schedule need (JSON of the domain's
-- ItemState), updated in the transaction that appends each ledger row.
-- It is filled from the ledger at start-up (view_meta has no row for it
-- yet, so the server rebuilds it before serving), and `shipshape ledger
-- rebuild-views` recomputes it at any time.
CREATE TABLE item_state (
    cluster_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (cluster_id, item_id)
) WITHOUT ROWID;

-- Which fold version each derived view was built with.
CREATE TABLE view_meta (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;

-- Each item's state as it stood at the end of every UTC day on which it
-- changed: the readiness trend reads the states before and within its
-- window from here instead of replaying the ledger.
CREATE TABLE item_state_daily (
    cluster_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    day TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (cluster_id, item_id, day)
) WITHOUT ROWID;
CREATE INDEX item_state_daily_by_day ON item_state_daily (day);
