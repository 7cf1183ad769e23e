-- 0010_reporting.sql
--
-- The Reporting context: the read side of CQRS (docs/patterns/cqrs.md).  Nothing here is
-- the truth; every row is derived from the integration events on messaging.bus by a
-- projection (infrastructure/reporting/projections.c), and can be thrown away and built
-- again from position zero (`shop projection rebuild NAME`).
--
--   projection      reads                                  writes
--   orders          ordering.OrderPlaced/Confirmed/Cancelled order_summaries, customer_orders
--   stock-levels    inventory.StockReceived/StockReserved/   stock_levels
--                   ReservationReleased/ReservationCommitted
--   sales           ordering.OrderPlaced/Confirmed/Cancelled sales_orders (the lines of open
--                                                            orders), sales_daily
--
-- Every read row keeps (applied_transaction_id, applied_position): the place on the bus
-- of the last message that changed it.  A projection reads the bus in (transaction_id,
-- position) order, so a message whose place is not after the row's has been applied
-- already and changes nothing: the handlers are idempotent on their own, besides the
-- checkpoint that moves in the transaction of their effects.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply (they
-- give shop_reporting SELECT, INSERT, UPDATE, DELETE on every table of the schema,
-- including the tables a rebuild creates, which are created as shop_owner too).

SET LOCAL ROLE shop_owner;

-- ------------------------------------------------------------------ orders

CREATE TABLE reporting.order_summaries (
    order_id               uuid        PRIMARY KEY,
    customer               text        NOT NULL,
    status                 text        NOT NULL CHECK (status IN ('placed', 'confirmed', 'cancelled')),
    reason                 text,
    total                  text        NOT NULL,
    lines                  jsonb       NOT NULL CHECK (jsonb_typeof(lines) = 'array'),
    ship_to                text,
    postcode               text,
    version                int         NOT NULL CHECK (version >= 1),
    placed_at              timestamptz NOT NULL,
    closed_at              timestamptz,
    applied_transaction_id xid8        NOT NULL,
    applied_position       bigint      NOT NULL
);
CREATE INDEX order_summaries_status ON reporting.order_summaries (status, placed_at);
COMMENT ON TABLE reporting.order_summaries IS
    'Read model (projection orders): one row per order, as `shop order show` prints it';

-- A customer's order history, keyed for the question "what did this customer order".
CREATE TABLE reporting.customer_orders (
    customer               text        NOT NULL,
    order_id               uuid        NOT NULL,
    placed_at              timestamptz NOT NULL,
    status                 text        NOT NULL CHECK (status IN ('placed', 'confirmed', 'cancelled')),
    total                  text        NOT NULL,
    applied_transaction_id xid8        NOT NULL,
    applied_position       bigint      NOT NULL,
    PRIMARY KEY (customer, order_id)
);
CREATE INDEX customer_orders_placed ON reporting.customer_orders (customer, placed_at);
COMMENT ON TABLE reporting.customer_orders IS
    'Read model (projection orders): each customer''s orders';

-- ------------------------------------------------------------------ stock

CREATE TABLE reporting.stock_levels (
    sku                    text        PRIMARY KEY,
    on_hand                bigint      NOT NULL,
    reserved               bigint      NOT NULL,
    available              bigint      NOT NULL GENERATED ALWAYS AS (on_hand - reserved) STORED,
    applied_transaction_id xid8        NOT NULL,
    applied_position       bigint      NOT NULL
);
COMMENT ON TABLE reporting.stock_levels IS
    'Read model (projection stock-levels): on hand, reserved and available per SKU';

-- ------------------------------------------------------------------ sales

-- The lines of each order the sales projection has seen placed (from OrderPlaced), kept
-- until the order closes: a confirmation names only the order.
CREATE TABLE reporting.sales_orders (
    order_id               uuid        PRIMARY KEY,
    lines                  jsonb       NOT NULL CHECK (jsonb_typeof(lines) = 'array'),
    closed                 boolean     NOT NULL DEFAULT false,
    applied_transaction_id xid8        NOT NULL,
    applied_position       bigint      NOT NULL
);
COMMENT ON TABLE reporting.sales_orders IS
    'Projection sales: the lines of placed orders, until confirmed (counted) or cancelled';

CREATE TABLE reporting.sales_daily (
    sku                    text        NOT NULL,
    day                    date        NOT NULL,
    currency               text        NOT NULL,
    quantity               bigint      NOT NULL,
    revenue                numeric     NOT NULL,
    orders                 bigint      NOT NULL,
    applied_transaction_id xid8        NOT NULL,
    applied_position       bigint      NOT NULL,
    PRIMARY KEY (sku, day, currency)
);
COMMENT ON TABLE reporting.sales_daily IS
    'Read model (projection sales): units and revenue of confirmed orders per SKU per day (UTC)';

-- ------------------------------------------------------------------ the projections

-- One row per projection: its checkpoint in the bus (the (transaction_id, position) of
-- the last message it read), how many messages it applied, and its lock: the worker
-- takes the row FOR UPDATE in the transaction of each batch, and a rebuild takes it to
-- swap the tables.
CREATE TABLE reporting.projections (
    name           text        PRIMARY KEY CHECK (name ~ '^[a-z][a-z-]{0,31}$'),
    transaction_id xid8        NOT NULL DEFAULT '0',
    position       bigint      NOT NULL DEFAULT 0,
    handled        bigint      NOT NULL DEFAULT 0,
    skipped        bigint      NOT NULL DEFAULT 0,
    last_error     text,
    rebuilt_at     timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT statement_timestamp()
);
COMMENT ON TABLE reporting.projections IS
    'Each projection''s checkpoint in messaging.bus, and its lock (shop projection list)';

INSERT INTO reporting.projections (name) VALUES ('orders'), ('stock-levels'), ('sales');
