-- Waymark PostgreSQL schema, version 19: PostgreSQL's own (the embedded schema's 019 and 020 changed its own
-- indexes). Never edit a released migration: add a new numbered file.
-- instances_by_user (user_id) is a prefix of instances_by_user_updated (user_id, updated_at, id), which serves
-- every read by user it served (the embedded schema dropped it in its 017). An update of an instance changes
-- wake_at, which instances_due indexes, so PostgreSQL cannot make it a heap-only update: every write of an
-- instance adds an entry to every index of instances, this one included, for nothing.
DROP INDEX instances_by_user;
