-- Waymark embedded schema, version 7. Never edit a released migration: add a new file.
-- Real delivery (src/channels/, docs/channels.md):
--   * messages.status gains 'dead' (dead-lettered after the last retry) and room for 'delivered' and
--     'bounced' (provider callbacks). SQLite cannot change a CHECK in place, so the table is rebuilt, seq kept.
--   * next_attempt_at: when a pending message is next due (engine clock); 0 = at once (never tried).
--   * lease_until: a claim by a dispatcher (wall clock), as on PostgreSQL, so that two never send one message.
--   * provider: who took the message ('outbox', 'smtp', 'webhook'); NULL for rows written before this
--     version (a 'sent' one was the outbox's) and for messages never handed to one.
--   * messages_due: the pending messages in due order, for the dispatcher.
--   * providers: each channel's provider settings (one JSON document per channel, secrets included).
--   * secrets: keys Waymark makes for itself.

CREATE TABLE messages_007 (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  journey_id       TEXT NOT NULL,
  version          INTEGER NOT NULL,
  instance_id      TEXT NOT NULL,
  node_id          TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  channel          TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'skipped', 'delivered', 'bounced')),
  reason           TEXT,
  content          TEXT,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  clicked_at       INTEGER,
  next_attempt_at  INTEGER NOT NULL DEFAULT 0,
  lease_until      INTEGER,
  provider         TEXT
);
INSERT INTO messages_007 (seq, id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts, clicked_at)
SELECT seq, id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts, clicked_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_007 RENAME TO messages;

CREATE INDEX messages_pending ON messages (seq) WHERE status = 'pending';
CREATE INDEX messages_by_user ON messages (user_id, seq);
CREATE INDEX messages_by_journey ON messages (journey_id, seq);
CREATE INDEX messages_by_user_created ON messages (user_id, created_at);
CREATE INDEX messages_by_instance ON messages (instance_id, seq);
CREATE INDEX messages_due ON messages (next_attempt_at, seq) WHERE status = 'pending';

CREATE TABLE providers (
  channel     TEXT PRIMARY KEY,
  config      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- secrets: the project's own keys, each made once on first use (the unsubscribe links' signing key).
CREATE TABLE secrets (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
