-- Waymark embedded schema, version 2: retention (pruneEvents) deletes events by received_at, oldest first.
-- Never edit a released migration: add a new file.

CREATE INDEX events_by_received_at ON events (received_at);
