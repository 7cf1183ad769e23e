-- 0006_shipping.sql
--
-- The Shipping context is event-sourced: its own events and snapshots tables in its own
-- schema, made by the one definition of an event store (0002's procedure).  The grants
-- come with them: 0001's default privileges let shop_shipping read and insert in its
-- schema, and the procedure takes back UPDATE and DELETE on events (facts).
-- The adapter: infrastructure/postgres/event_store_pg.c with context "shipping".

SET LOCAL ROLE shop_owner;

CALL shop_ddl.create_event_store('shipping');
