-- Waymark PostgreSQL schema, version 21. Never edit a released migration: add a new numbered file.
-- As the embedded schema's 021 did for its own (src/store/sqlite/migrations/021_liveness_by_exit_time.sql):
-- instances_entered_by_user holds only passes that are over. It held every pass that had entered, live ones
-- too, and an update of an instance is never heap-only (it changes wake_at, which instances_due indexes), so
-- every write of a live instance past its entry (each delay and send of a cart) added an entry to it, at a
-- random place in the index. A user's live passes come with their state from instances_live_by_user already,
-- and count as entered there (views.ts, addLive); the reads of passes over name the index's condition.
-- Built inside the migration's transaction (CREATE INDEX CONCURRENTLY cannot be), so writes to instances
-- wait while it is built: one read of the table.
DROP INDEX instances_entered_by_user;
CREATE INDEX instances_entered_by_user ON instances (user_id, journey_id, exited_at) WHERE status = 'exited' AND entered_at IS NOT NULL;
