-- 0008_saga.sql
--
-- The fulfilment saga (docs/architecture.md §3): one row per order in ordering.sagas, the
-- orchestrator's state, and Ordering's outbox for the commands it sends.
--
--   a message on the bus ─► consumer "ordering.fulfilment" ─► decide ─► ONE statement:
--        the saga's row (insert at version 1 / update WHERE version = expected)
--        + its commands in ordering.outbox (only if the row was written)
--   ─► Ordering's relay moves ordering.outbox AND its translated events to the bus
--
-- data is the whole saga as JSON (infrastructure/ordering/saga_store_pg.c reads it
-- strictly); state, deadline and reason are kept beside it for the timer's index and for
-- `shop saga list`.  The deadline timer takes due rows FOR UPDATE SKIP LOCKED.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

CREATE TABLE ordering.sagas (
    order_id   uuid        PRIMARY KEY,
    state      text        NOT NULL CHECK (state IN ('reserving_stock', 'authorizing_payment',
                                                     'scheduling_shipment', 'capturing_payment',
                                                     'cancelling_shipment', 'voiding_payment',
                                                     'releasing_stock', 'confirmed',
                                                     'cancelled', 'stuck')),
    version    bigint      NOT NULL CHECK (version >= 1),
    data       jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    deadline   timestamptz,
    reason     text        NOT NULL DEFAULT '' CHECK (octet_length(reason) <= 200),
    started_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- a confirmed or cancelled saga waits for nothing
    CHECK (state NOT IN ('confirmed', 'cancelled') OR deadline IS NULL)
);
CREATE INDEX sagas_due ON ordering.sagas (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX sagas_updated ON ordering.sagas (updated_at DESC);

COMMENT ON TABLE ordering.sagas IS
    'Ordering: the fulfilment saga of each order (orchestrator state; version for optimistic locking)';
COMMENT ON COLUMN ordering.sagas.data IS
    'the whole saga (infrastructure/ordering/saga_store_pg.c): order, lines, card, steps';
COMMENT ON COLUMN ordering.sagas.deadline IS
    'when the step it waits for times out; NULL in an end state';

-- Sagas are kept, never deleted (a row that went away would let a late reply start over).
REVOKE DELETE, TRUNCATE ON ordering.sagas FROM shop_ordering;

-- Ordering's commands to the participants, moved to the bus by Ordering's relay along
-- with its event store's translated events.
CALL shop_ddl.create_outbox('ordering');
