-- Day-2 reminders already sent: one row per (cluster, task, due date, state),
-- so each task's "due" and "overdue" messages go out once.
CREATE TABLE reminders_sent (
    cluster_id INTEGER NOT NULL REFERENCES clusters (id),
    task_id    TEXT NOT NULL,
    due        TEXT NOT NULL,
    state      TEXT NOT NULL,
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (cluster_id, task_id, due, state)
);
