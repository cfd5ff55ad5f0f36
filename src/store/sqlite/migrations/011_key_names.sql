-- Waymark embedded schema, version 11. Never edit a released migration: add a new file.
--   * api_keys.name: what the key is for ("iOS app"), given when it is made; NULL for the first keys.
--   * api_keys.prefix: the key's first characters, shown in lists so a person can tell keys apart; the key
--     itself is never stored (only its SHA-256 hash). NULL for keys made before this version.
ALTER TABLE api_keys ADD COLUMN name TEXT;
ALTER TABLE api_keys ADD COLUMN prefix TEXT;
