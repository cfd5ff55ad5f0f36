-- Waymark embedded schema, version 4. Never edit a released migration: add a new file.
--   * messages.clicked_at: when the recipient first clicked (recordClick), NULL until then.
--   * messages_by_instance: the messages of a unit's instances in creation order (UserContext.messages, for
--     splits on message outcome), one probe per instance.
--   * inbox: internal events (Changes.followUps) waiting for drainInbox, oldest first (seq). message_id is
--     the event's id: an event already waiting is not added twice. created_at is when it was added.

ALTER TABLE messages ADD COLUMN clicked_at INTEGER;

CREATE INDEX messages_by_instance ON messages (instance_id, seq);

CREATE TABLE inbox (
  seq          INTEGER PRIMARY KEY,
  message_id   TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL,
  name         TEXT NOT NULL,
  ts           INTEGER NOT NULL,
  properties   TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);
