-- instances_by_user_updated (user_id, updated_at, id) listed a user's instances, most recently changed first,
-- for the API. Every write of an instance changes updated_at, so each of a cart's four instance writes moved
-- its entry, at a random place in the file: 1.9 of a cart's 9.3 pages (bench/ingest-cost.ts), for an index
-- the engine never reads. A user's live instances (at most one a journey) are already found by
-- instances_live_by_user; the exited ones, which no longer change, now have an index of their own, written
-- once, at the exit. The API merges the two, in the same order as before (reads.ts).
DROP INDEX instances_by_user_updated;
CREATE INDEX instances_exited_by_user ON instances (user_id, updated_at, id) WHERE status = 'exited';
