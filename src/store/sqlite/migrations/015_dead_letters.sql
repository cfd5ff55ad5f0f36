-- Waymark embedded schema, version 15. Never edit a released migration: add a new file.
--   * messages_dead: the dead letters, oldest first, for sending them again (requeueDeadMessages): a request
--     reads the dead ones only, however long the log. Dead letters are few, so the index is small, and a
--     write touches it only when a message dies or is sent again.
CREATE INDEX messages_dead ON messages (seq) WHERE status = 'dead';
