-- Waymark embedded schema, version 24. Never edit a released migration: add a new file.
-- messages_by_user_created, a user's sends by time, is read only by frequency caps, yet every message wrote
-- an entry at a random place in the file: 1.48 of a cart's 11 pages. It is now kept only while a cap is set:
-- the engine builds it when it reads settings that cap something, and drops it when they cap nothing
-- (caps-index.ts). Dropped here, it is built again at the engine's start on a file whose settings cap.
DROP INDEX IF EXISTS messages_by_user_created;
