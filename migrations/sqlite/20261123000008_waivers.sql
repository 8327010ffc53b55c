-- Waivers are ledger rows (waiver_requested / waiver_approved /
-- waiver_rejected). Every checklist and the fleet view read them, so a partial
-- index keeps that read to the waiver rows alone.
CREATE INDEX ledger_waivers_by_cluster ON ledger (cluster_id, seq)
    WHERE action IN ('waiver_requested', 'waiver_approved', 'waiver_rejected');
