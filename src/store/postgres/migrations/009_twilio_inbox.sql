-- Waymark PostgreSQL schema, version 9. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 009 (src/store/sqlite/migrations/009_twilio_inbox.sql):
--   * provider_id: the provider's own id of a message (Twilio's message SID), for its status callbacks.
--   * read_at, dismissed_at: when the user read or dismissed an inbox message (NULL until then).
--     Nullable columns without a default: no rewrite of the table.
--   * messages_inbox: a user's inbox newest first; profiles_by_phone: the profiles with a phone number
--     (Twilio's inbound STOP and START).

ALTER TABLE messages ADD COLUMN provider_id text;
ALTER TABLE messages ADD COLUMN read_at bigint;
ALTER TABLE messages ADD COLUMN dismissed_at bigint;
CREATE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_inbox ON messages (user_id, seq) WHERE channel = 'inbox';
CREATE INDEX profiles_by_phone ON profiles ((traits ->> 'phone'));
