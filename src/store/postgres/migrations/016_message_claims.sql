-- Waymark PostgreSQL schema, version 16. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 016 (src/store/sqlite/migrations/016_message_claims.sql):
--   * messages.claims: how many times a dispatcher has claimed the message; claims > attempts + 1 on a claim
--     means an earlier claim ended with no outcome (its process died mid-send), so the provider may have taken
--     it already. A constant default: adding the column rewrites no row (PostgreSQL 11 and later).
ALTER TABLE messages ADD COLUMN claims integer NOT NULL DEFAULT 0;
