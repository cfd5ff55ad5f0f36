-- Waymark PostgreSQL schema, version 1. Never edit a released migration: add a new numbered file.
-- The logical schema is the embedded SQLite one (src/store/sqlite/migrations/001_init.sql). Differences:
--   * timestamps are epoch milliseconds in bigint columns, set by the engine (never the database clock),
--     except messages.lease_until, a dispatcher lease on the database clock;
--   * identifier columns use the "C" collation, so ORDER BY compares bytes exactly like SQLite's BINARY;
--   * profile traits, event properties, instance state and message content are jsonb; journey documents
--     (draft, layout, definition) are json, which keeps the author's text and key order as written.

CREATE TABLE api_keys (
  hash        text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('admin', 'write')),
  created_at  bigint NOT NULL
);

-- Traits are merged with waymark_merge_patch (RFC 7396, as SQLite's json_patch): a null trait removes it.
CREATE TABLE profiles (
  user_id     text COLLATE "C" PRIMARY KEY,
  traits      jsonb NOT NULL,
  updated_at  bigint NOT NULL
);

CREATE FUNCTION waymark_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result jsonb;
  k text;
  v jsonb;
BEGIN
  IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
    RETURN patch;
  END IF;
  result := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
  FOR k, v IN SELECT e.key, e.value FROM jsonb_each(patch) AS e LOOP
    IF jsonb_typeof(v) = 'null' THEN
      result := result - k;
    ELSIF jsonb_typeof(v) = 'object' THEN
      result := result || jsonb_build_object(k, waymark_merge_patch(result -> k, v));
    ELSE
      result := result || jsonb_build_object(k, v);
    END IF;
  END LOOP;
  RETURN result;
END
$$;

-- message_id is the idempotency key of ingestion, unique over the whole table. Native partitioning by time
-- needs the partition key in every unique key, so it will move this dedupe to a table of its own (with a
-- retention window); a partitioned table cannot be made from this one in place, so nothing here prepares it.
CREATE TABLE events (
  seq          bigserial PRIMARY KEY,
  message_id   text COLLATE "C" NOT NULL UNIQUE,
  user_id      text COLLATE "C" NOT NULL,
  name         text NOT NULL,
  ts           bigint NOT NULL,
  properties   jsonb NOT NULL,
  received_at  bigint NOT NULL
);
CREATE INDEX events_by_user ON events (user_id, ts, seq);

CREATE TABLE journeys (
  id          text COLLATE "C" PRIMARY KEY,
  name        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('draft', 'running', 'paused', 'stopped')),
  version     integer,
  draft       json NOT NULL,
  layout      json NOT NULL,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL
);

CREATE TABLE journey_versions (
  journey_id    text COLLATE "C" NOT NULL REFERENCES journeys (id),
  version       integer NOT NULL,
  definition    json NOT NULL,
  published_at  bigint NOT NULL,
  PRIMARY KEY (journey_id, version)
);

-- One row per user per pass through a journey. wake_at is the durable timer.
CREATE TABLE instances (
  id          text COLLATE "C" PRIMARY KEY,
  journey_id  text COLLATE "C" NOT NULL,
  version     integer NOT NULL,
  user_id     text COLLATE "C" NOT NULL,
  status      text NOT NULL CHECK (status IN ('pending', 'active', 'control', 'exited')),
  wake_at     bigint,
  entered_at  bigint,
  state       jsonb NOT NULL,
  updated_at  bigint NOT NULL
);
CREATE INDEX instances_by_user ON instances (user_id);
-- The timer claim scans this in wake_at order; only sleeping instances are in it.
CREATE INDEX instances_due ON instances (wake_at) WHERE wake_at IS NOT NULL;
-- Never two live instances of one journey for one user. Also serves "live instances of a journey".
CREATE UNIQUE INDEX instances_one_live ON instances (journey_id, user_id) WHERE status <> 'exited';

-- The outbox and message log. id is deterministic, so a send can be recorded only once.
-- lease_until (database clock, epoch ms) marks a pending message claimed by a dispatcher.
CREATE TABLE messages (
  seq          bigserial PRIMARY KEY,
  id           text COLLATE "C" NOT NULL UNIQUE,
  journey_id   text COLLATE "C" NOT NULL,
  version      integer NOT NULL,
  instance_id  text COLLATE "C" NOT NULL,
  node_id      text COLLATE "C" NOT NULL,
  user_id      text COLLATE "C" NOT NULL,
  channel      text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  reason       text,
  content      jsonb,
  created_at   bigint NOT NULL,
  sent_at      bigint,
  attempts     integer NOT NULL DEFAULT 0,
  lease_until  bigint
);
CREATE INDEX messages_pending ON messages (seq) WHERE status = 'pending';
CREATE INDEX messages_by_user ON messages (user_id, seq);
CREATE INDEX messages_by_journey ON messages (journey_id, seq);

CREATE TABLE stats (
  journey_id  text COLLATE "C" NOT NULL,
  version     integer NOT NULL,
  node_id     text COLLATE "C" NOT NULL,
  metric      text COLLATE "C" NOT NULL,
  count       bigint NOT NULL,
  PRIMARY KEY (journey_id, version, node_id, metric)
);
