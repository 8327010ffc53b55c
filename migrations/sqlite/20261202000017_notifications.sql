-- Notifications (regressions, recoveries, waivers, expiring sign-offs):
-- each event is claimed per target before it is sent, so it goes out at
-- most once per target; the cursor says up to which ledger row events
-- were looked for.
CREATE TABLE notifications_sent (
    event_id TEXT NOT NULL,
    target   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    sent_at  TEXT NOT NULL,
    PRIMARY KEY (event_id, target)
) WITHOUT ROWID;

CREATE TABLE notify_cursor (
    name TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL
) WITHOUT ROWID;
