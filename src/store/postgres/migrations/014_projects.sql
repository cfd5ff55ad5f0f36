-- Waymark PostgreSQL schema, version 14. Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 014 (src/store/sqlite/migrations/014_projects.sql):
--   * projects: the registry of a deployment's projects other than "default", kept in the default project's
--     schema. Each project's data is a schema of its own (src/app/projects.ts); this table only names them.
CREATE TABLE projects (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  created_at bigint NOT NULL
);
