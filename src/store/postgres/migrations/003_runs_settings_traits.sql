-- Waymark PostgreSQL schema, version 3. Never edit a released migration: add a new numbered file.
-- The same additions as the embedded schema's 003 (src/store/sqlite/migrations/003_runs_settings_traits.sql):
--   * instances.exited_at: when an exited instance left (its state's exit.at), for re-entry cool-downs
--     (EventBatchView.lastExits); NULL while live. Written with every instance. Existing exited rows are
--     filled in, so this migration rewrites them once.
--   * messages_by_user_created: a user's recent sends (frequency caps) without reading all their messages.
--   * journey_runs: the runs of scheduled entries, with their scan cursor and lease (the engine's clock,
--     epoch ms, like every other timestamp here).
--   * settings: the project settings, one JSON document (json: kept as written).
--   * trait_names: every trait name a profile has had, kept as profiles are written.

ALTER TABLE instances ADD COLUMN exited_at bigint;
UPDATE instances SET exited_at = round((state #>> '{exit,at}')::numeric)::bigint
WHERE status = 'exited' AND jsonb_typeof(state #> '{exit,at}') = 'number';

CREATE INDEX messages_by_user_created ON messages (user_id, created_at);

CREATE TABLE journey_runs (
  journey_id   text COLLATE "C" NOT NULL,
  run_at       bigint NOT NULL,
  cursor       text COLLATE "C",
  lease_until  bigint,
  finished_at  bigint,
  PRIMARY KEY (journey_id, run_at)
);

CREATE TABLE settings (
  id          integer PRIMARY KEY CHECK (id = 1),
  document    json NOT NULL,
  updated_at  bigint NOT NULL
);

CREATE TABLE trait_names (
  name  text COLLATE "C" PRIMARY KEY
);
INSERT INTO trait_names (name)
SELECT DISTINCT t.key
FROM profiles p
CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.traits) = 'object' THEN p.traits ELSE '{}'::jsonb END) AS t
WHERE jsonb_typeof(t.value) <> 'null'
ON CONFLICT (name) DO NOTHING;
