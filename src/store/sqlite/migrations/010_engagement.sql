-- Waymark embedded schema, version 10. Never edit a released migration: add a new file.
-- Engagement tracking (docs/channels.md, "Engagement tracking"):
--   * messages.opened_at: when the recipient first opened the message (the email's pixel, a push opened in the
--     app, or a first click: a click is an open too), NULL until then.
--   * short_links: the SMS short links (/s/<code>): each code names one link of one message. The code is
--     derived from the message and the URL, so a retried send writes the same row again (kept as it was).

ALTER TABLE messages ADD COLUMN opened_at INTEGER;

CREATE TABLE short_links (
  code        TEXT PRIMARY KEY,
  message_id  TEXT NOT NULL,
  url         TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
