-- Waymark embedded schema, version 21. Never edit a released migration: add a new file.
-- Whether an instance is live is now read from exited_at (NULL until it exits), not from status. SQLite
-- rewrites an index's entry when an UPDATE sets a column its key or its partial WHERE names, even when the
-- entry stays: a window that closed (status pending -> active, entered_at set) rewrote the user's entries in
-- instances_one_live and instances_live_by_user, each at a random place in the file, though neither moved.
-- No index names status now, and instances_entered_by_user holds only passes that are over (a live pass is
-- read through instances_live_by_user already), so it is written once, at the exit, not at the entry too.
-- A cart's timers wrote 6.69 pages before this, measured with bench/ingest-cost.ts (docs/performance.md).

-- exited_at has been written with every exit since migration 3, but for exits without a record of when: those
-- get EXIT_UNKNOWN (sqlite-rows.ts), below every time, so they count as over and set no re-entry cool-down.
UPDATE instances SET exited_at = -9007199254740991 WHERE status = 'exited' AND exited_at IS NULL;

DROP INDEX instances_one_live;
CREATE UNIQUE INDEX instances_one_live ON instances (journey_id, user_id) WHERE exited_at IS NULL;
DROP INDEX instances_live_by_user;
CREATE INDEX instances_live_by_user ON instances (user_id) WHERE exited_at IS NULL;
DROP INDEX instances_exited_by_user;
CREATE INDEX instances_exited_by_user ON instances (user_id, updated_at, id) WHERE exited_at IS NOT NULL;
DROP INDEX instances_entered_by_user;
CREATE INDEX instances_entered_by_user ON instances (user_id, journey_id, exited_at) WHERE exited_at IS NOT NULL AND entered_at IS NOT NULL;
