-- 0001_contexts_schemas_and_roles.sql
--
-- Microservices / data ownership: one schema and one login role per bounded context,
-- and grants so that a context's role can touch only its own schema.  Which context
-- owns what is docs/architecture.md §2; why the grants look like this is
-- docs/adr/0003-migrations-schemas-and-roles.md.
--
-- Rules for every migration file: it runs inside one transaction that `shop db migrate`
-- opens (so no BEGIN/COMMIT here), it is never edited once released (the checksum is
-- recorded), and it creates objects as shop_owner so the default privileges below apply.

-- Roles are cluster-wide, so another database of the same cluster may have created them
-- already (or be creating them right now): tolerate both.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['shop_owner',
                             'shop_catalog', 'shop_ordering', 'shop_inventory', 'shop_payments',
                             'shop_shipping', 'shop_reporting', 'shop_notifications']
    LOOP
        BEGIN
            IF r = 'shop_owner' THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
                -- Only its creator comments on it: roles live in shared catalogues, where
                -- two databases migrating at once must not update the same row.
                COMMENT ON ROLE shop_owner IS 'ddd-shop: owns every schema and table; never logs in';
            ELSE
                EXECUTE format('CREATE ROLE %I LOGIN', r);
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO shop_owner', current_database());
END
$$;

-- Everything below is created by, and owned by, shop_owner.
SET LOCAL ROLE shop_owner;

-- The bounded contexts (docs/architecture.md §2).
CREATE SCHEMA catalog;
CREATE SCHEMA ordering;
CREATE SCHEMA inventory;
CREATE SCHEMA payments;
CREATE SCHEMA shipping;
CREATE SCHEMA reporting;
CREATE SCHEMA notifications;

-- Shared infrastructure: the message bus and the service-mesh registry.  Every context
-- may look inside; what each may do there is granted table by table when the tables
-- arrive.
CREATE SCHEMA messaging;
CREATE SCHEMA mesh;

COMMENT ON SCHEMA catalog IS 'Catalog context: products and prices (state rows)';
COMMENT ON SCHEMA ordering IS 'Ordering context (core): event-sourced orders, the fulfilment saga';
COMMENT ON SCHEMA inventory IS 'Inventory context: stock items and reservations (optimistic locking)';
COMMENT ON SCHEMA payments IS 'Payments context: event-sourced payments';
COMMENT ON SCHEMA shipping IS 'Shipping context: event-sourced shipments';
COMMENT ON SCHEMA reporting IS 'Reporting context: read models (CQRS read side)';
COMMENT ON SCHEMA notifications IS 'Notifications context: the notification log';
COMMENT ON SCHEMA messaging IS 'Shared infrastructure: bus, subscriptions, dead letters';
COMMENT ON SCHEMA mesh IS 'Shared infrastructure: service registry of the mesh control plane';

-- Each context role may use its own schema and read and write the rows of its own
-- tables, including those created by later migrations (default privileges), and
-- nothing else: no USAGE on any other context's schema means "permission denied".
DO $$
DECLARE
    ctx text;
BEGIN
    FOREACH ctx IN ARRAY ARRAY['catalog', 'ordering', 'inventory', 'payments', 'shipping',
                               'reporting', 'notifications']
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', ctx, 'shop_' || ctx);
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE shop_owner IN SCHEMA %I '
                       'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', ctx, 'shop_' || ctx);
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE shop_owner IN SCHEMA %I '
                       'GRANT USAGE, SELECT ON SEQUENCES TO %I', ctx, 'shop_' || ctx);
        EXECUTE format('GRANT USAGE ON SCHEMA messaging, mesh TO %I', 'shop_' || ctx);
    END LOOP;
END
$$;
