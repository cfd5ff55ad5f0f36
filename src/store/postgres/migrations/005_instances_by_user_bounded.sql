-- Waymark PostgreSQL schema, version 5. Never edit a released migration: add a new numbered file.
-- The same additions as the embedded schema's 005 (src/store/sqlite/migrations/005_instances_by_user_bounded.sql):
-- a unit of work reads its users' live instances and, per journey they entered, their latest exit, by index
-- probes whatever the number of a user's exited instances (a re-entering journey leaves one per pass):
--   * instances_live_by_user: a user's live instances only.
--   * instances_entered_by_user: the journeys a user entered (a skip scan: one probe per journey) and the
--     latest exit of each (batch-lookups.ts, INSTANCES_OF_USERS).
-- Built inside the migration's transaction (CREATE INDEX CONCURRENTLY cannot be), so writes to instances wait
-- while they are built.

CREATE INDEX instances_live_by_user ON instances (user_id) WHERE status <> 'exited';
CREATE INDEX instances_entered_by_user ON instances (user_id, journey_id, exited_at) WHERE entered_at IS NOT NULL;

-- Pages of the API's lists, read by keyset through an index: a user's instances, most recently changed
-- first (GET /v1/users/:id/journeys and /explain), and the journeys in creation order (GET /v1/journeys).
CREATE INDEX instances_by_user_updated ON instances (user_id, updated_at, id);
CREATE INDEX journeys_by_created ON journeys (created_at, id);
