-- Waymark PostgreSQL schema, version 12. Never edit a released migration: add a new file.
-- The same addition as the embedded schema's 012 (src/store/sqlite/migrations/012_identities.sql): the
-- identity map of merged ids (Store.mergeIdentity), kept flat, and the ids merged into each user.

CREATE TABLE identities (
  alias_id   text COLLATE "C" PRIMARY KEY,
  user_id    text COLLATE "C" NOT NULL,
  merged_at  bigint NOT NULL
);
CREATE INDEX identities_by_user ON identities (user_id);
