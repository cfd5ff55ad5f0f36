-- Waymark embedded schema, version 22. Never edit a released migration: add a new file.
-- A live instance had entries in two indexes keyed by user: instances_one_live (journey_id, user_id), the
-- one-live-pass rule, and instances_live_by_user (user_id), a user's live passes. Each entry sits at a random
-- place in a large file, so an entry and an exit wrote a page in each. The rule now lives in the user's index,
-- (user_id, journey_id) unique, and a journey's live instances (its waiting counts, stopping it, moving it to a
-- new version) come from instances_live_by_journey, keyed by journey and then rowid: a new instance's entry is
-- appended at the end of its journey's range, on a page the unit writes anyway. A cart wrote 9.7 pages before
-- this and 8.9 after, measured with bench/ingest-cost.ts --carts 40000 (docs/performance.md).
DROP INDEX instances_one_live;
DROP INDEX instances_live_by_user;
CREATE UNIQUE INDEX instances_live_by_user ON instances (user_id, journey_id) WHERE exited_at IS NULL;
CREATE INDEX instances_live_by_journey ON instances (journey_id) WHERE exited_at IS NULL;
