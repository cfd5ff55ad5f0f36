-- instances_by_user (user_id) is a prefix of instances_by_user_updated (user_id, updated_at, id), which serves
-- every read by user it served. Keyed by user, its entries sit at random places in the file, so each new
-- instance wrote a page of it for nothing: 0.3 pages a cart of bench/ingest-cost.ts's 13.5.
DROP INDEX instances_by_user;
