-- 0003_catalog.sql
--
-- The Catalog context: one row per product, its current state (Catalog is a CRUD-shaped
-- context; it does not keep events).  `version` counts the saves and is the optimistic
-- lock: a save says which version it decided on, and an UPDATE ... WHERE version = $n
-- that matches no row is a conflict (infrastructure/catalog/product_repository_pg.c).
--
-- The checks repeat the domain's rules (domain/catalog/product.h), so a row that breaks
-- them cannot exist even if a bug or a hand-written statement tried.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

CREATE TABLE catalog.products (
    sku         text        PRIMARY KEY CHECK (sku ~ '^[A-Z0-9-]{1,32}$'),
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100
                                            AND name !~ '^ *$'
                                            AND name !~ '[[:cntrl:]]'),
    price_minor bigint      NOT NULL CHECK (price_minor > 0),
    currency    char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    version     bigint      NOT NULL CHECK (version >= 1),
    updated_at  timestamptz NOT NULL DEFAULT statement_timestamp()
);

COMMENT ON TABLE catalog.products IS
    'Catalog context: products and their unit prices (state rows, optimistic locking on version)';
COMMENT ON COLUMN catalog.products.price_minor IS
    'unit price in minor units of currency (1250 EUR = 12.50 EUR)';
COMMENT ON COLUMN catalog.products.version IS
    'number of saves; a save names the version it decided on (optimistic locking)';

-- Products are added and repriced, never deleted: the context's role may read, insert and
-- update its rows, nothing more (0001's default privileges granted DELETE as well).
REVOKE DELETE, TRUNCATE ON catalog.products FROM shop_catalog;
