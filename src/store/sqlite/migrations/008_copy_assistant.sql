-- Waymark embedded schema, version 8. Never edit a released migration: add a new file.
-- The copy assistant (src/copy/, docs/copy-assistant.md):
--   * copy_provider: the language model the project chose (one JSON document, its key included: the API
--     never returns it).
--   * copy_log: each suggestion asked of the model, what was sent (never the key) and what came back, for
--     the admin to audit; pruned as entries are added (see src/copy/audit.ts).

CREATE TABLE copy_provider (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  config      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE copy_log (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  outcome   TEXT NOT NULL,
  model     TEXT NOT NULL,
  request   TEXT NOT NULL,
  response  TEXT,
  detail    TEXT
);
CREATE INDEX copy_log_at ON copy_log (at);
