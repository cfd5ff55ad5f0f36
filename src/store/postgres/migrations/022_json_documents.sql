-- Waymark PostgreSQL schema, version 22: PostgreSQL's own. Never edit a released migration: add a new file.
-- The documents the engine writes with every unit of work and reads back whole, never by their parts on its
-- hot path, are kept as json (their text, checked as JSON) instead of jsonb (a parsed binary form): an
-- instance's state, a message's content, an event's properties in the events and in the inbox. PostgreSQL
-- parses a jsonb value into its binary form on every write and prints it back to text on every read; for an
-- abandoned cart's instance state (about 700 bytes) that cost 16 µs a row written against 5 µs as json, and
-- 5.6 µs a row read against 1.2 µs (docs/performance.md). The few statements that change an instance's state
-- in SQL (a journey's stop, a version move, an identity merge) convert it to jsonb and back for that
-- statement. Profiles' traits stay jsonb: they are merged in SQL with every write and read by trait.
-- Each ALTER rewrites its table, under a lock that holds writes to it until done.
ALTER TABLE instances ALTER COLUMN state TYPE json USING state::json;
ALTER TABLE messages ALTER COLUMN content TYPE json USING content::json;
ALTER TABLE events ALTER COLUMN properties TYPE json USING properties::json;
ALTER TABLE inbox ALTER COLUMN properties TYPE json USING properties::json;
