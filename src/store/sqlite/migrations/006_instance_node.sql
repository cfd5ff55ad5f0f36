-- Waymark embedded schema, version 6. Never edit a released migration: add a new file.
-- The node an instance is at, as a column beside its state: the dashboard counts a journey's users per node
-- every few seconds, and reading it out of each live instance's JSON cost about 1 s per 100,000 of them
-- (blocking the process on SQLite). Not indexed: the count reads instances_one_live, and writing the column
-- costs an instance write nothing an index would.
ALTER TABLE instances ADD COLUMN node_id TEXT;
UPDATE instances SET node_id = json_extract(state, '$.nodeId');
