-- Waymark PostgreSQL schema, version 18 (there is no 17: the embedded schema's 017 only dropped two of its
-- indexes). Never edit a released migration: add a new numbered file.
-- The same as the embedded schema's 018 (src/store/sqlite/migrations/018_message_sending_mark.sql):
--   * messages.sending_at: when a sender said it was about to pass its point of no return for the attempt in
--     progress (SMTP's end of DATA, held until this mark is stored); recording an outcome or requeueing a dead
--     letter clears it. Claimed again with no outcome recorded and still marked: the message may have reached
--     its recipient, and is held as a dead letter (in_doubt) rather than sent twice. Nullable with no
--     default: adding the column rewrites no row.
ALTER TABLE messages ADD COLUMN sending_at bigint;
