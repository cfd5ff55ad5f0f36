-- Waymark PostgreSQL schema, version 6. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 006: the node an instance is at, as a column beside its state, so the
-- dashboard's count of users per node reads no JSON. Not indexed.
ALTER TABLE instances ADD COLUMN node_id TEXT;
UPDATE instances SET node_id = state ->> 'nodeId';
