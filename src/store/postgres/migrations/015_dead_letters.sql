-- Waymark PostgreSQL schema, version 15. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 015 (src/store/sqlite/migrations/015_dead_letters.sql):
--   * messages_dead: the dead letters, oldest first, for sending them again (requeueDeadMessages): a request
--     reads the dead ones only, however long the log. Dead letters are few, so the index is small, and a
--     write touches it only when a message dies or is sent again. Built inside the migration's transaction
--     (CREATE INDEX CONCURRENTLY cannot be), so writes to messages wait while it is built: one read of the
--     table.
CREATE INDEX messages_dead ON messages (seq) WHERE status = 'dead';
