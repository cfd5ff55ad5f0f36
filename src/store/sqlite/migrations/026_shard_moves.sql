-- Waymark embedded schema, version 26. Never edit a released migration: add a new file.
-- A database split by user (store/shards/) moves an id's rows to another shard when it is merged into a user
-- there: the new shard takes them and records the move in the same transaction, then the old shard deletes
-- them. A move recorded here is one whose old rows may still be in shard `from_shard`: opening the database
-- deletes them there, then the record.
CREATE TABLE shard_moves (
  alias_id    TEXT PRIMARY KEY,
  from_shard  INTEGER NOT NULL,
  moved_at    INTEGER NOT NULL
);

-- How many shards the database was made with (store/shards/layout.ts): its users are where a hash of their id
-- modulo this number puts them, so a server started with another number is refused. No row: one file.
CREATE TABLE shard_layout (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  shards  INTEGER NOT NULL
);
