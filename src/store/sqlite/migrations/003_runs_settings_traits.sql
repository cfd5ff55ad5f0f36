-- Waymark embedded schema, version 3. Never edit a released migration: add a new file.
--   * instances.exited_at: when an exited instance left (its state's exit.at), for re-entry cool-downs
--     (EventBatchView.lastExits); NULL while live. Written with every instance.
--   * messages_by_user_created: a user's recent sends (frequency caps) without reading all their messages.
--   * journey_runs: the runs of scheduled entries, with their scan cursor and lease (the engine's clock).
--   * settings: the project settings, one JSON document.
--   * trait_names: every trait name a profile has had, kept as profiles are written.

ALTER TABLE instances ADD COLUMN exited_at INTEGER;
UPDATE instances SET exited_at = json_extract(state, '$.exit.at')
WHERE status = 'exited' AND json_type(state, '$.exit.at') IN ('integer', 'real');

CREATE INDEX messages_by_user_created ON messages (user_id, created_at);

CREATE TABLE journey_runs (
  journey_id   TEXT NOT NULL,
  run_at       INTEGER NOT NULL,
  cursor       TEXT,
  lease_until  INTEGER,
  finished_at  INTEGER,
  PRIMARY KEY (journey_id, run_at)
) WITHOUT ROWID;

CREATE TABLE settings (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  document    TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE trait_names (
  name  TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT OR IGNORE INTO trait_names (name)
SELECT DISTINCT t.key FROM profiles, json_each(profiles.traits) AS t
WHERE json_type(profiles.traits) = 'object' AND t.type <> 'null';
