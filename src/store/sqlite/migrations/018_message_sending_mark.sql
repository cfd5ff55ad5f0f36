-- Waymark embedded schema, version 18. Never edit a released migration: add a new file.
--   * messages.sending_at: when a sender said it was about to pass its point of no return for the attempt in
--     progress (SMTP's end of DATA: the server takes a message only at its terminator, which is held until
--     this mark is stored). Recording an outcome, or requeueing a dead letter, clears it. A message claimed
--     again after a claim ended with no outcome (claims > attempts + 1) and still marked may have reached its
--     recipient, and is held as a dead letter (in_doubt) rather than sent a second time; one not marked never
--     went past that point and is sent again.
ALTER TABLE messages ADD COLUMN sending_at INTEGER;
