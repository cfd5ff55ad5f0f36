-- Waymark embedded schema, version 14. Never edit a released migration: add a new file.
--   * projects: the registry of a deployment's projects other than "default", kept in the default project's
--     database. Each project's data is a database of its own (src/app/projects.ts), so no row of one can be
--     read or changed through another; this table only names them.
CREATE TABLE projects (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
