-- Waymark PostgreSQL schema, version 8. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 008 (src/store/sqlite/migrations/008_copy_assistant.sql):
--   * copy_provider: the language model the project chose (one JSON document, its key included: the API
--     never returns it).
--   * copy_log: each suggestion asked of the model, what was sent (never the key) and what came back, for
--     the admin to audit; pruned as entries are added (see src/copy/audit.ts).

CREATE TABLE copy_provider (
  id          integer PRIMARY KEY CHECK (id = 1),
  config      jsonb NOT NULL,
  updated_at  bigint NOT NULL
);

CREATE TABLE copy_log (
  seq       bigserial PRIMARY KEY,
  at        bigint NOT NULL,
  outcome   text NOT NULL,
  model     text NOT NULL,
  request   jsonb NOT NULL,
  response  text,
  detail    text
);
CREATE INDEX copy_log_at ON copy_log (at);
