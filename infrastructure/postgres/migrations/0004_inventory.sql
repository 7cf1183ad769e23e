-- 0004_inventory.sql
--
-- The Inventory context: stock items and reservations as state rows with a version
-- column (optimistic locking, docs/architecture.md §2).  A writer updates a row only
-- WHERE version = the version it read, and moves the version on; zero rows updated means
-- someone else wrote first (infrastructure/inventory/stock_repository_pg.c).  The CHECKs
-- below hold the invariant "on hand minus reserved is never negative" in the database
-- too, whatever a program does.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

CREATE TABLE inventory.stock_items (
    sku      text   PRIMARY KEY CHECK (sku ~ '^[A-Z0-9-]{1,32}$'),
    on_hand  bigint NOT NULL CHECK (on_hand <= 9007199254740991),
    reserved bigint NOT NULL,
    version  bigint NOT NULL CHECK (version >= 1),
    CHECK (reserved >= 0 AND on_hand >= reserved)
);
COMMENT ON TABLE inventory.stock_items IS
    'Inventory: one row per SKU ever received; available = on_hand - reserved; version for optimistic locking';

-- One row per order that holds (or held) a reservation.  Its lines never change after
-- the reservation is made, so they are kept with it as a JSON array of {sku, quantity}.
CREATE TABLE inventory.reservations (
    order_id   uuid        PRIMARY KEY,
    status     text        NOT NULL CHECK (status IN ('reserved', 'released', 'committed')),
    lines      jsonb       NOT NULL CHECK (jsonb_typeof(lines) = 'array'
                                           AND jsonb_array_length(lines) BETWEEN 1 AND 50),
    version    bigint      NOT NULL CHECK (version >= 1),
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
COMMENT ON TABLE inventory.reservations IS
    'Inventory: the reservation of each order (reserved, then released or committed); version for optimistic locking';

-- shop_inventory reads, adds and updates its own rows (0001's default privileges gave it
-- these, and DELETE).  Stock and reservations are never deleted: a row that goes away
-- would take its history of versions with it, so DELETE is taken back.
REVOKE DELETE ON inventory.stock_items, inventory.reservations FROM shop_inventory;
