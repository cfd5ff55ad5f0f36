-- Waymark PostgreSQL schema, version 13. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 013 (src/store/sqlite/migrations/013_dashboard_users.sql):
--   * dashboard_users: the people who sign in to the dashboard by email and password, each with a role
--     (admin, editor, viewer). email_key is the email lowercased, unique: one account per address whatever
--     its case. password is "scrypt$N$r$p$salt$hash" (src/api/passwords.ts): the parameters travel with the
--     hash so they can be raised later without invalidating older ones.
--   * api_keys.last_used_at: when the key last opened a request (recorded at most once a minute per process).
CREATE TABLE dashboard_users (
  id               text PRIMARY KEY,
  email            text NOT NULL,
  email_key        text NOT NULL UNIQUE,
  name             text NOT NULL,
  role             text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  password         text NOT NULL,
  disabled         boolean NOT NULL DEFAULT false,
  created_at       bigint NOT NULL,
  last_sign_in_at  bigint
);
ALTER TABLE api_keys ADD COLUMN last_used_at bigint;
