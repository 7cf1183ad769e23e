-- 0005_payments.sql
--
-- Payments is event-sourced: its payments are the streams "payment-<id>" of an event
-- store in the payments schema, the same tables as Ordering's (0002's procedure is the one
-- definition of an event store).  The grants come with them: 0001's default privileges
-- let shop_payments read and write its own tables, and the procedure takes UPDATE, DELETE
-- and TRUNCATE on payments.events back, so the role may append events, never change them.
-- The adapter: infrastructure/postgres/event_store_pg.c with context "payments".
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

CALL shop_ddl.create_event_store('payments');
