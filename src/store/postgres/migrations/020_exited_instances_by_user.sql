-- Waymark PostgreSQL schema, version 20. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 020 (src/store/sqlite/migrations/020_exited_instances_by_user.sql):
-- instances_by_user_updated (user_id, updated_at, id) listed a user's instances, most recently changed first,
-- for the API only. An update of an instance is never heap-only (it changes wake_at, which instances_due
-- indexes), so every write of an instance added an entry to it. A user's live instances (at most one a
-- journey) are found by instances_live_by_user; the exited ones, which no longer change, have an index of
-- their own, written once, at the exit. The API merges the two, in the same order as before (reads.ts).
-- Built inside the migration's transaction (CREATE INDEX CONCURRENTLY cannot be), so writes to instances
-- wait while it is built: one read of the table.
DROP INDEX instances_by_user_updated;
CREATE INDEX instances_exited_by_user ON instances (user_id, updated_at, id) WHERE status = 'exited';
