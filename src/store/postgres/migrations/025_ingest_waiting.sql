-- What each process that ingests has queued and not committed: when its oldest such call came (engine clock,
-- ms). A process firing timers fires none due from then on (engine/queued-elsewhere.ts), so an api process that
-- falls behind makes sends late, not wrong. A row is a process's while it has calls queued; `said_at` tells a
-- live one from one that died with calls queued. UNLOGGED: nothing here outlives a crash of the database, and
-- its writes cost no WAL flush.
CREATE UNLOGGED TABLE ingest_waiting (
  process_id    text PRIMARY KEY,
  waiting_since bigint NOT NULL,
  said_at       bigint NOT NULL
);
