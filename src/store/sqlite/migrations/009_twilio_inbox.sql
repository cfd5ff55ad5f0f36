-- Waymark embedded schema, version 9. Never edit a released migration: add a new file.
-- Twilio (SMS, WhatsApp) and the in-app inbox (src/channels/twilio.ts, src/api/routes/inbox.ts):
--   * provider_id: the provider's own id of a message (Twilio's message SID), by which its status callbacks
--     name it; messages_by_provider_id finds it.
--   * read_at, dismissed_at: when the user read or dismissed an inbox message (NULL until then);
--     messages_inbox lists a user's inbox newest first without reading their other messages.
--   * profiles_by_phone: the profiles whose phone trait is a number (Twilio's inbound STOP and START).

ALTER TABLE messages ADD COLUMN provider_id TEXT;
ALTER TABLE messages ADD COLUMN read_at INTEGER;
ALTER TABLE messages ADD COLUMN dismissed_at INTEGER;
CREATE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_inbox ON messages (user_id, seq) WHERE channel = 'inbox';
CREATE INDEX profiles_by_phone ON profiles (json_extract(traits, '$.phone'));
