-- instances_by_user (user_id) is a prefix of instances_by_user_updated (user_id, updated_at, id), which serves
-- every read by user it served. Keyed by user, its entries sit at random places in the file, so each new
-- instance wrote a page of it for nothing: 0.3 pages a cart of bench/ingest-cost.ts's 13.5.
DROP INDEX instances_by_user;

-- messages_by_instance (instance_id, seq): a message's id starts with its instance's id (core/nodes/send.ts),
-- so the messages' unique key already finds an instance's messages by range (instance-messages.ts). Keyed by
-- instance, at random places, it wrote a page for every message: about one of a cart's eight timer pages.
DROP INDEX messages_by_instance;
