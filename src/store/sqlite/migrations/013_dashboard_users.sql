-- Waymark embedded schema, version 13. Never edit a released migration: add a new file.
--   * dashboard_users: the people who sign in to the dashboard by email and password, each with a role
--     (admin, editor, viewer). email_key is the email lowercased, unique: one account per address whatever
--     its case. password is "scrypt$N$r$p$salt$hash" (src/api/passwords.ts): the parameters travel with the
--     hash so they can be raised later without invalidating older ones.
--   * api_keys.last_used_at: when the key last opened a request (recorded at most once a minute per process).
CREATE TABLE dashboard_users (
  id              TEXT PRIMARY KEY,
  email           TEXT NOT NULL,
  email_key       TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  password        TEXT NOT NULL,
  disabled        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  last_sign_in_at INTEGER
);
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
