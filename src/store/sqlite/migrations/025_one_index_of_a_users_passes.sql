-- Waymark embedded schema, version 25. Never edit a released migration: add a new file.
-- A user's passes had two indexes: instances_live_by_user (user_id, journey_id) for the live ones, unique (the
-- rule of one live pass a journey), and instances_exited_by_user (user_id, updated_at, id) for the API's list
-- of the ones that are over. An exit took its entry out of the first and put one into the second, each at a
-- random place in a large file: two pages where one would do. One index now holds both, keyed by the user, then
-- by when the pass exited ('live' while it is live, which sorts after every number), then by the journey for a
-- live pass (so at most one live pass a journey and user, still enforced here) or by the instance's id for one
-- that is over. An exit moves the entry within the user's own range, on the page it was on: a cart wrote 5.88
-- pages before this and 5.48 after (bench/ingest-cost.ts, batches of 200). The API lists a pass that is over
-- by when it exited, which is when it last changed (reads.ts, apply-changes.ts).
DROP INDEX instances_live_by_user;
DROP INDEX instances_exited_by_user;
CREATE UNIQUE INDEX instances_by_user_exit ON instances (user_id, ifnull(exited_at, 'live'), iif(exited_at IS NULL, journey_id, id));
