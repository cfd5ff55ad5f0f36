-- Waymark embedded schema, version 12. Never edit a released migration: add a new file.
-- Identity merges (Store.mergeIdentity, docs/integrations.md "Identities"):
--   * identities: the identity map. Each id merged into a user (an anonymous id tied to it by identify or
--     alias) resolves to that user; kept flat: when a user is merged into another, the ids merged into it
--     are pointed at the other too, so one lookup resolves any id. An id is merged once (the primary key).
--   * identities_by_user: the ids merged into a user, to point them on when that user is merged in turn.

CREATE TABLE identities (
  alias_id   TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  merged_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX identities_by_user ON identities (user_id);
