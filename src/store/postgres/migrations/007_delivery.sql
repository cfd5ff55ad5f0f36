-- Waymark PostgreSQL schema, version 7. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 007 (src/store/sqlite/migrations/007_delivery.sql), for real delivery:
--   * messages.status gains 'dead' (dead-lettered after the last retry) and room for 'delivered' and
--     'bounced'. The new CHECK is added NOT VALID: every existing row already satisfies it, and validating
--     would read the whole table under the migration's lock.
--   * next_attempt_at: when a pending message is next due (engine clock); 0 = at once. A constant default:
--     no rewrite of the table.
--   * provider: who took the message ('outbox', 'smtp', 'webhook'); NULL for older rows (a 'sent' one was
--     the outbox's) and for messages never handed to one.
--   * messages_due: the pending messages in due order, for the dispatcher's claim.
--   * providers: each channel's provider settings (one JSON document per channel, secrets included).
--   * secrets: keys Waymark makes for itself.

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'skipped', 'delivered', 'bounced')) NOT VALID;
ALTER TABLE messages ADD COLUMN next_attempt_at bigint NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN provider text;

CREATE INDEX messages_due ON messages (next_attempt_at, seq) WHERE status = 'pending';

CREATE TABLE providers (
  channel     text COLLATE "C" PRIMARY KEY,
  config      jsonb NOT NULL,
  updated_at  bigint NOT NULL
);

-- secrets: the project's own keys, each made once on first use (the unsubscribe links' signing key).
CREATE TABLE secrets (
  name        text COLLATE "C" PRIMARY KEY,
  value       text NOT NULL,
  created_at  bigint NOT NULL
);
