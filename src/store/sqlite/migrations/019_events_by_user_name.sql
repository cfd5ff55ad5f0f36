-- events_by_user gains the event's name after (user_id, ts): a read of a user's events of some names in a time
-- range (a scheduled segment's page of 1,000 users, a unit of work's history) tests each entry's name in the
-- index and reads the row of a wanted event only, where before it read the row of every event in the range to
-- look at its name. Every read by (user_id, ts) it served, it serves in the same order.
DROP INDEX events_by_user;
CREATE INDEX events_by_user ON events (user_id, ts, name);
