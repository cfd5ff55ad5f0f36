-- Waymark embedded schema, version 16. Never edit a released migration: add a new file.
--   * messages.claims: how many times a dispatcher has claimed the message. Attempts count the outcomes
--     recorded, so a claim that ended with no outcome (its process died mid-send, or its lease ran out) shows as
--     claims > attempts + 1 on the next claim: the provider may have taken it already, and a sender that can
--     ask its provider (Twilio's Messages list) looks before sending again. Written by the claim's own UPDATE.
ALTER TABLE messages ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
