-- Waymark PostgreSQL schema, version 10. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 010 (src/store/sqlite/migrations/010_engagement.sql), for engagement tracking:
--   * messages.opened_at: when the recipient first opened the message (a click counts as an open too), NULL
--     until then. No default: adding it rewrites nothing.
--   * short_links: the SMS short links (/s/<code>), each code naming one link of one message.

ALTER TABLE messages ADD COLUMN opened_at bigint;

CREATE TABLE short_links (
  code        text COLLATE "C" PRIMARY KEY,
  message_id  text NOT NULL,
  url         text NOT NULL,
  created_at  bigint NOT NULL
);
