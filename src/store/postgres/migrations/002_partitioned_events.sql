-- Waymark PostgreSQL schema, version 2: events partitioned by day of arrival, so that retention drops whole
-- partitions instead of deleting rows. Never edit a released migration: add a new numbered file.
--   * A unique key of a partitioned table must contain the partition key, so message_id cannot stay unique in
--     events: ingestion dedupe moves to event_ids, pruned together with the partitions (the retention window
--     is also the dedupe window).
--   * The partition key is received_at (the server's clock, which only moves forward), not ts (the client's,
--     which imports and retries set anywhere in the past).
--   * Partitions are whole UTC days, named events_YYYYMMDD, created just in time by the store
--     (src/store/postgres/event-partitions.ts). There is no DEFAULT partition: with one, attaching a new day
--     would have to scan it, and a row it held for that day would make the attach fail.
-- Existing rows are copied: this migration rewrites the whole events table once.

ALTER TABLE events RENAME TO events_before_002;
ALTER TABLE events_before_002 RENAME CONSTRAINT events_pkey TO events_before_002_pkey;
ALTER TABLE events_before_002 RENAME CONSTRAINT events_message_id_key TO events_before_002_message_id_key;
ALTER INDEX events_by_user RENAME TO events_before_002_by_user;
-- seq keeps counting from where it was: the sequence moves to the new table.
ALTER SEQUENCE events_seq_seq OWNED BY NONE;

-- The idempotency key of ingestion: one row per accepted event, with the event's received_at.
CREATE TABLE event_ids (
  message_id   text COLLATE "C" PRIMARY KEY,
  received_at  bigint NOT NULL
);
CREATE INDEX event_ids_by_received_at ON event_ids (received_at);

-- seq is arrival order (the tie-break of equal timestamps); unique by its sequence, and with received_at
-- as the primary key, since a partitioned table's keys must contain the partition key.
CREATE TABLE events (
  seq          bigint NOT NULL DEFAULT nextval('events_seq_seq'),
  message_id   text COLLATE "C" NOT NULL,
  user_id      text COLLATE "C" NOT NULL,
  name         text NOT NULL,
  ts           bigint NOT NULL,
  properties   jsonb NOT NULL,
  received_at  bigint NOT NULL,
  PRIMARY KEY (seq, received_at)
) PARTITION BY RANGE (received_at);
ALTER SEQUENCE events_seq_seq OWNED BY events.seq;
-- Every partition gets it: the user timeline and the lookback read a user's events in (ts, seq) order.
CREATE INDEX events_by_user ON events (user_id, ts, seq);

-- One partition per day that already has events; later days are created by the store as they come.
DO $$
DECLARE
  day bigint;
BEGIN
  FOR day IN SELECT DISTINCT floor(received_at / 86400000.0)::bigint FROM events_before_002 ORDER BY 1 LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
      'events_' || to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYYMMDD'),
      day * 86400000,
      (day + 1) * 86400000
    );
  END LOOP;
END
$$;

INSERT INTO events (seq, message_id, user_id, name, ts, properties, received_at)
SELECT seq, message_id, user_id, name, ts, properties, received_at FROM events_before_002;
INSERT INTO event_ids (message_id, received_at)
SELECT message_id, received_at FROM events_before_002;

DROP TABLE events_before_002;
