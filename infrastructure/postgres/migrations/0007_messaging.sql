-- 0007_messaging.sql
--
-- Event-driven architecture between contexts (docs/patterns/event-driven.md):
--
--   a context's change ─► its outbox, same transaction ─► relay ─► messaging.bus
--        ─► a subscriber's consumer: checkpoint per partition, inbox, retries, dead letters
--
-- The outbox of a state-row context (Catalog) is the table <context>.outbox below; the
-- outbox of an event-sourced context (Ordering, Payments, Shipping) is its event store,
-- which is already written in the transaction of the change (ADR 0009).  NOTIFY is only
-- a wake-up: every reader also polls, so a lost notification delays, never loses.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

-- ------------------------------------------------------------------ wake-ups

-- A statement-level trigger that tells listeners of channel TG_ARGV[0] that rows came.
-- The notification is sent at commit (and not at all after a rollback); PostgreSQL folds
-- identical notifications of one transaction into one.
CREATE FUNCTION messaging.notify_rows_inserted() RETURNS trigger
LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END
$function$;

COMMENT ON FUNCTION messaging.notify_rows_inserted() IS
    'Trigger: NOTIFY the channel named by the trigger''s argument after an INSERT statement';

CREATE TRIGGER events_inserted AFTER INSERT ON ordering.events
    FOR EACH STATEMENT EXECUTE FUNCTION messaging.notify_rows_inserted('shop_events_ordering');
CREATE TRIGGER events_inserted AFTER INSERT ON payments.events
    FOR EACH STATEMENT EXECUTE FUNCTION messaging.notify_rows_inserted('shop_events_payments');
CREATE TRIGGER events_inserted AFTER INSERT ON shipping.events
    FOR EACH STATEMENT EXECUTE FUNCTION messaging.notify_rows_inserted('shop_events_shipping');

-- ------------------------------------------------------------------ the bus

-- Integration events of every context, in the order they were published.  Readers read
-- it like the global event log (docs/adr/0006): only rows of transactions older than
-- every transaction still running, checkpointing on (transaction_id, position), so a
-- relay that commits late is never skipped.  message_id is unique: publishing the same
-- message twice stores it once.  stream is the partition key: a subscriber sees the
-- messages of one stream in order; stream_hash spreads streams over its partitions.
CREATE TABLE messaging.bus (
    position       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id     uuid        NOT NULL UNIQUE,
    type           text        NOT NULL CHECK (type ~ '^[a-z]+\.[A-Za-z]{1,64}$'),
    schema_version int         NOT NULL CHECK (schema_version >= 1),
    source         text        NOT NULL CHECK (source ~ '^[a-z]{1,32}$'),
    stream         text        NOT NULL CHECK (octet_length(stream) BETWEEN 1 AND 100),
    stream_hash    int         NOT NULL GENERATED ALWAYS AS (hashtext(stream)) STORED,
    payload        jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    correlation_id uuid,
    causation_id   uuid,
    traceparent    text,
    published_at   timestamptz NOT NULL DEFAULT statement_timestamp(),
    transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX bus_log ON messaging.bus (transaction_id, position);
CREATE INDEX bus_correlation ON messaging.bus (correlation_id);

CREATE TRIGGER bus_inserted AFTER INSERT ON messaging.bus
    FOR EACH STATEMENT EXECUTE FUNCTION messaging.notify_rows_inserted('shop_bus');

COMMENT ON TABLE messaging.bus IS
    'Integration events of every context (append-only); NOTIFY shop_bus wakes consumers';

-- Where each context's relay is in its outbox: for an event-sourced context, the
-- (transaction_id, position) of the last event of its event store it has looked at.
-- The row is also the relay's lock: FOR UPDATE SKIP LOCKED, so one relay of a context
-- works at a time and the bus gets a context's messages in order.
CREATE TABLE messaging.relays (
    context        text        PRIMARY KEY CHECK (context ~ '^[a-z]{1,32}$'),
    transaction_id xid8        NOT NULL DEFAULT '0',
    position       bigint      NOT NULL DEFAULT 0,
    owner          name        NOT NULL DEFAULT current_user,
    updated_at     timestamptz NOT NULL DEFAULT statement_timestamp()
);

-- A subscriber's checkpoint, one row per partition.  A consumer process handles a
-- partition only while it holds the row's lock (FOR UPDATE SKIP LOCKED), inside the
-- transaction that records what it handled; so two processes of one subscriber never
-- handle one partition at once, and a crash gives the partition back at rollback.
CREATE TABLE messaging.subscriptions (
    subscriber     text        NOT NULL CHECK (subscriber ~ '^[a-z][a-z0-9.-]{0,63}$'),
    partition      int         NOT NULL CHECK (partition >= 0),
    partitions     int         NOT NULL CHECK (partitions BETWEEN 1 AND 256),
    transaction_id xid8        NOT NULL DEFAULT '0',
    position       bigint      NOT NULL DEFAULT 0,
    owner          name        NOT NULL DEFAULT current_user,
    updated_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
    PRIMARY KEY (subscriber, partition),
    CHECK (partition < partitions)
);

-- Messages a subscriber failed to handle and will try again at next_attempt_at, and the
-- messages of the same stream that came after them (attempts 0), which wait behind them
-- so that the stream stays in order while other streams go on.
CREATE TABLE messaging.retries (
    subscriber      text        NOT NULL,
    position        bigint      NOT NULL,
    partition       int         NOT NULL,
    stream          text        NOT NULL,
    message_id      uuid        NOT NULL,
    attempts        int         NOT NULL CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    owner           name        NOT NULL DEFAULT current_user,
    PRIMARY KEY (subscriber, position)
);
CREATE INDEX retries_due ON messaging.retries (subscriber, partition, next_attempt_at);
CREATE INDEX retries_stream ON messaging.retries (subscriber, stream);

-- Messages a subscriber gave up on after its retry budget (or at once, for a message it
-- can never handle): `shop dlq list | show | replay | discard`.
CREATE TABLE messaging.dead_letters (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscriber  text        NOT NULL,
    position    bigint      NOT NULL,
    message_id  uuid        NOT NULL,
    type        text        NOT NULL,
    stream      text        NOT NULL,
    attempts    int         NOT NULL,
    last_error  text        NOT NULL,
    dead_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
    owner       name        NOT NULL DEFAULT current_user,
    UNIQUE (subscriber, message_id)
);

COMMENT ON TABLE messaging.relays IS 'Each context''s relay: its place in its outbox, and its lock';
COMMENT ON TABLE messaging.subscriptions IS 'Each subscriber''s checkpoint in the bus, per partition';
COMMENT ON TABLE messaging.retries IS 'Messages waiting for another attempt, and those behind them on their stream';
COMMENT ON TABLE messaging.dead_letters IS 'Messages a subscriber gave up on (shop dlq)';

-- Grants: every context may publish to the bus and read it, never change it; each keeps
-- its own rows of the bookkeeping tables and sees no other context's (row-level
-- security on the role that wrote the row).
DO $$
DECLARE
    ctx text;
    t text;
BEGIN
    FOREACH ctx IN ARRAY ARRAY['catalog', 'ordering', 'inventory', 'payments', 'shipping',
                               'reporting', 'notifications']
    LOOP
        EXECUTE format('GRANT SELECT, INSERT ON messaging.bus TO %I', 'shop_' || ctx);
        FOREACH t IN ARRAY ARRAY['relays', 'subscriptions', 'retries', 'dead_letters']
        LOOP
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON messaging.%I TO %I',
                           t, 'shop_' || ctx);
        END LOOP;
    END LOOP;
    FOREACH t IN ARRAY ARRAY['relays', 'subscriptions', 'retries', 'dead_letters']
    LOOP
        EXECUTE format('ALTER TABLE messaging.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY own_rows ON messaging.%I USING (owner = current_user) '
                       'WITH CHECK (owner = current_user)', t);
    END LOOP;
END
$$;

-- ------------------------------------------------------------------ outboxes and inboxes

-- The outbox of a context that keeps state rows: written in the transaction (here: the
-- statement) that saves the change; the relay moves rows to the bus and deletes them in
-- one transaction.
CREATE PROCEDURE shop_ddl.create_outbox(context_schema text)
LANGUAGE plpgsql
AS $procedure$
BEGIN
    EXECUTE format($sql$
        CREATE TABLE %I.outbox (
            id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            message_id     uuid        NOT NULL UNIQUE,
            type           text        NOT NULL,
            schema_version int         NOT NULL CHECK (schema_version >= 1),
            stream         text        NOT NULL,
            payload        jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
            correlation_id uuid,
            causation_id   uuid,
            traceparent    text,
            recorded_at    timestamptz NOT NULL DEFAULT statement_timestamp()
        )$sql$, context_schema);
    EXECUTE format('COMMENT ON TABLE %I.outbox IS %L', context_schema,
                   'Integration events of the ' || context_schema
                   || ' context not yet moved to messaging.bus');
    EXECUTE format('CREATE TRIGGER outbox_inserted AFTER INSERT ON %I.outbox FOR EACH STATEMENT '
                   'EXECUTE FUNCTION messaging.notify_rows_inserted(%L)',
                   context_schema, 'shop_outbox_' || context_schema);
END
$procedure$;

-- The inbox of a subscribing context: the ids of the messages each of its subscribers
-- has handled, recorded in the transaction of the handler's effects, so a message
-- delivered again is recognised and changes nothing.
CREATE PROCEDURE shop_ddl.create_inbox(context_schema text)
LANGUAGE plpgsql
AS $procedure$
BEGIN
    EXECUTE format($sql$
        CREATE TABLE %I.inbox (
            subscriber text        NOT NULL,
            message_id uuid        NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT statement_timestamp(),
            PRIMARY KEY (subscriber, message_id)
        )$sql$, context_schema);
    EXECUTE format('COMMENT ON TABLE %I.inbox IS %L', context_schema,
                   'Messages the subscribers of the ' || context_schema
                   || ' context have handled (idempotent consumers)');
END
$procedure$;

REVOKE EXECUTE ON PROCEDURE shop_ddl.create_outbox(text) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE shop_ddl.create_inbox(text) FROM PUBLIC;

CALL shop_ddl.create_outbox('catalog');
CALL shop_ddl.create_inbox('ordering');
CALL shop_ddl.create_inbox('notifications');

-- ------------------------------------------------------------------ Ordering's price list

-- Ordering's replica of Catalog's prices (event-carried state transfer): fed by
-- catalog.ProductAdded and catalog.PriceChanged, read when an order is placed, so that
-- placing an order does not ask Catalog.  catalog_version is the product's version the
-- row reflects: an older message never overwrites a newer price.
CREATE TABLE ordering.prices (
    sku             text        PRIMARY KEY CHECK (sku ~ '^[A-Z0-9-]{1,32}$'),
    price_minor     bigint      NOT NULL CHECK (price_minor > 0),
    currency        char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    catalog_version bigint      NOT NULL CHECK (catalog_version >= 1),
    message_id      uuid        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT statement_timestamp()
);
COMMENT ON TABLE ordering.prices IS
    'Ordering''s replica of Catalog''s prices, fed by catalog.ProductAdded/PriceChanged';

-- ------------------------------------------------------------------ Notifications

-- One notification per customer-visible event: message_id (the bus message that caused
-- it) is unique, so a message handled twice cannot notify twice.  customers remembers
-- whose each order is (from ordering.OrderPlaced), for the events that name only the order.
CREATE TABLE notifications.order_customers (
    order_id uuid PRIMARY KEY,
    customer text NOT NULL CHECK (char_length(customer) BETWEEN 1 AND 64)
);

CREATE TABLE notifications.notifications (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer       text        NOT NULL CHECK (char_length(customer) BETWEEN 1 AND 64),
    order_id       uuid        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('order-placed', 'order-confirmed',
                                                        'order-cancelled')),
    text           text        NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
    message_id     uuid        NOT NULL UNIQUE,
    correlation_id uuid,
    recorded_at    timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX notifications_customer ON notifications.notifications (customer, id);
CREATE INDEX notifications_order ON notifications.notifications (order_id, id);

COMMENT ON TABLE notifications.notifications IS
    'Notifications context: one row per customer-visible event, exactly once';
