-- Waymark embedded schema, version 23. Never edit a released migration: add a new file.
-- An instance's state held its whole record as JSON: the columns' values again, and the event it entered on
-- with all its properties, about 590 bytes of a cart's, written out again at every step (a cart's three). The
-- event, which never changes, now has a column of its own, written with the instance; the state holds only
-- what no column does (sqlite-rows.ts). A cart's updates took 8.9 µs instead of 11.2 and `simulate` ran 6%
-- faster (docs/performance.md). Rows in place are rewritten the same way here, once.
ALTER TABLE instances ADD COLUMN entry TEXT;
UPDATE instances SET
  entry = json_extract(state, '$.entryEvent'),
  state = json_remove(state, '$.id', '$.journeyId', '$.version', '$.userId', '$.status', '$.nodeId', '$.wakeAt', '$.enteredAt', '$.entryEvent');
