-- Waymark embedded schema, version 5. Never edit a released migration: add a new file.
-- A unit of work reads, per user of its batch, their live instances and, per journey they entered, when they
-- last left it. A journey with re-entry and no cool-down leaves one exited instance per pass, so both must
-- come from index probes, whatever the number of a user's exited instances:
--   * instances_live_by_user: a user's live instances only.
--   * instances_entered_by_user: the journeys a user entered (a skip scan: one probe per journey) and the
--     latest exit of each (one probe at the end of the (user, journey) range).

CREATE INDEX instances_live_by_user ON instances (user_id) WHERE status <> 'exited';
CREATE INDEX instances_entered_by_user ON instances (user_id, journey_id, exited_at) WHERE entered_at IS NOT NULL;

-- Pages of the API's lists, read by keyset through an index: a user's instances, most recently changed
-- first (GET /v1/users/:id/journeys and /explain), and the journeys in creation order (GET /v1/journeys).
CREATE INDEX instances_by_user_updated ON instances (user_id, updated_at, id);
CREATE INDEX journeys_by_created ON journeys (created_at, id);
