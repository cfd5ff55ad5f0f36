-- Waymark embedded schema, version 1. Never edit a released migration: add a new file.

CREATE TABLE api_keys (
  hash        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('admin', 'write')),
  created_at  INTEGER NOT NULL
);

CREATE TABLE profiles (
  user_id     TEXT PRIMARY KEY,
  traits      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,
  message_id   TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL,
  name         TEXT NOT NULL,
  ts           INTEGER NOT NULL,
  properties   TEXT NOT NULL,
  received_at  INTEGER NOT NULL
);
CREATE INDEX events_by_user ON events (user_id, ts);

CREATE TABLE journeys (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('draft', 'running', 'paused', 'stopped')),
  version     INTEGER,
  draft       TEXT NOT NULL,
  layout      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE journey_versions (
  journey_id    TEXT NOT NULL REFERENCES journeys (id),
  version       INTEGER NOT NULL,
  definition    TEXT NOT NULL,
  published_at  INTEGER NOT NULL,
  PRIMARY KEY (journey_id, version)
);

-- One row per user per pass through a journey. wake_at is the durable timer.
CREATE TABLE instances (
  id          TEXT PRIMARY KEY,
  journey_id  TEXT NOT NULL,
  version     INTEGER NOT NULL,
  user_id     TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('pending', 'active', 'control', 'exited')),
  wake_at     INTEGER,
  entered_at  INTEGER,
  state       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX instances_by_user ON instances (user_id);
CREATE INDEX instances_due ON instances (wake_at) WHERE wake_at IS NOT NULL;
-- Never two live instances of one journey for one user.
CREATE UNIQUE INDEX instances_one_live ON instances (journey_id, user_id) WHERE status <> 'exited';

-- The outbox and message log. id is deterministic, so a send can be recorded only once.
CREATE TABLE messages (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  journey_id   TEXT NOT NULL,
  version      INTEGER NOT NULL,
  instance_id  TEXT NOT NULL,
  node_id      TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  channel      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  reason       TEXT,
  content      TEXT,
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER,
  attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_pending ON messages (seq) WHERE status = 'pending';
CREATE INDEX messages_by_user ON messages (user_id, seq);
CREATE INDEX messages_by_journey ON messages (journey_id, seq);

CREATE TABLE stats (
  journey_id  TEXT NOT NULL,
  version     INTEGER NOT NULL,
  node_id     TEXT NOT NULL,
  metric      TEXT NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY (journey_id, version, node_id, metric)
) WITHOUT ROWID;
