-- Waymark PostgreSQL schema, version 4. Never edit a released migration: add a new numbered file.
-- The same additions as the embedded schema's 004 (src/store/sqlite/migrations/004_clicks_outcomes_inbox.sql):
--   * messages.clicked_at: when the recipient first clicked (recordClick), NULL until then. A nullable column
--     without a default: no rewrite of the table.
--   * messages_by_instance: the messages of a unit's instances in creation order (UserContext.messages, for
--     splits on message outcome), one probe per instance (batch-lookups.ts). Built inside the migration's
--     transaction (CREATE INDEX CONCURRENTLY cannot be), so writes to messages wait while it is built.
--   * inbox: internal events (Changes.followUps) waiting for drainInbox, oldest first (seq). message_id is
--     the event's id: an event already waiting is not added twice. Processes claim rows FOR UPDATE SKIP
--     LOCKED, so they share it. created_at is when the row was added (engine clock, epoch ms).

ALTER TABLE messages ADD COLUMN clicked_at bigint;

CREATE INDEX messages_by_instance ON messages (instance_id, seq);

CREATE TABLE inbox (
  seq          bigserial PRIMARY KEY,
  message_id   text COLLATE "C" NOT NULL UNIQUE,
  user_id      text COLLATE "C" NOT NULL,
  name         text NOT NULL,
  ts           bigint NOT NULL,
  properties   jsonb NOT NULL,
  created_at   bigint NOT NULL
);
