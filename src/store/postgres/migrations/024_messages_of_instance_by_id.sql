-- Waymark PostgreSQL schema, version 24. Never edit a released migration: add a new file.
-- The same as the embedded schema's 017: messages_by_instance (instance_id, seq) goes. A message's id starts
-- with its instance's id and a colon (core/nodes/send.ts), so the messages' unique key (id, COLLATE "C")
-- already finds an instance's messages as a range (batch-lookups.ts, messagesOfInstance). Keyed by instance, at
-- random places, the index took an entry at a random page for every message written: about 1.65 of a cart's 28
-- index entries (docs/performance.md). Dropped inside the migration's transaction, which waits for the
-- transactions writing messages at that moment.
DROP INDEX messages_by_instance;
