-- 0002_event_store.sql
--
-- Event sourcing: the event store of the Ordering context.  Payments and Shipping get
-- the same tables in their own schemas later, each with one line:
--     CALL shop_ddl.create_event_store('payments');
-- so the procedure below is the one definition of what an event store is in PostgreSQL.
-- The adapter that reads and writes these tables is infrastructure/postgres/event_store_pg.c;
-- read its header comment for why the tables look like this.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

-- Building blocks that migrations call to create the same tables in several context
-- schemas.  Only shop_owner (who runs migrations' DDL) may use it: no context role gets
-- USAGE, and EXECUTE is taken from PUBLIC, so a context still cannot change any schema.
CREATE SCHEMA shop_ddl;
COMMENT ON SCHEMA shop_ddl IS 'ddd-shop: procedures that migrations call to create tables shared in shape by several contexts';

CREATE PROCEDURE shop_ddl.create_event_store(context_schema text)
LANGUAGE plpgsql
AS $procedure$
DECLARE
    context_role text := 'shop_' || context_schema;
BEGIN
    -- One row per event.  global_position orders events by insertion (gaps after a
    -- rollback); (stream_id, stream_version) is unique, and that key IS the optimistic
    -- concurrency check: two writers that both saw version n both try to insert n + 1,
    -- and the second gets a unique violation instead of a lost update, without locks.
    -- transaction_id is the writer's top-level transaction: readers of the global log
    -- read only transactions older than every one still running (pg_snapshot_xmin) and
    -- checkpoint on (transaction_id, global_position), so a slow writer is never skipped.
    EXECUTE format($sql$
        CREATE TABLE %I.events (
            global_position bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            stream_id       text        NOT NULL,
            stream_version  bigint      NOT NULL CHECK (stream_version >= 1),
            type            text        NOT NULL,
            schema_version  int         NOT NULL CHECK (schema_version >= 1),
            data            jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
            message_id      uuid,
            correlation_id  uuid,
            causation_id    uuid,
            traceparent     text,
            recorded_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
            transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
            UNIQUE (stream_id, stream_version)
        )$sql$, context_schema);

    -- The global-log reader's order: WHERE (transaction_id, global_position) > checkpoint
    -- ORDER BY transaction_id, global_position LIMIT n is one index range scan.
    EXECUTE format('CREATE INDEX events_global_log ON %I.events (transaction_id, global_position)',
                   context_schema);

    -- The newest snapshot of each stream: an aggregate's state at stream_version, so that
    -- loading it reads the snapshot and only the events after it.
    EXECUTE format($sql$
        CREATE TABLE %I.snapshots (
            stream_id      text        PRIMARY KEY,
            stream_version bigint      NOT NULL CHECK (stream_version >= 1),
            schema_version int         NOT NULL CHECK (schema_version >= 1),
            data           jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
            recorded_at    timestamptz NOT NULL DEFAULT now()
        )$sql$, context_schema);

    EXECUTE format('COMMENT ON TABLE %I.events IS %L', context_schema,
                   'Event store of the ' || context_schema || ' context: append-only');
    EXECUTE format('COMMENT ON TABLE %I.snapshots IS %L', context_schema,
                   'Newest snapshot of each event stream of the ' || context_schema || ' context');

    -- Events are facts: the context's role may append and read them, never change or
    -- delete them (0001's default privileges granted UPDATE and DELETE on every table).
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.events FROM %I',
                   context_schema, context_role);
END
$procedure$;

REVOKE EXECUTE ON PROCEDURE shop_ddl.create_event_store(text) FROM PUBLIC;

COMMENT ON PROCEDURE shop_ddl.create_event_store(text) IS
    'Creates <schema>.events and <schema>.snapshots for an event-sourced context';

CALL shop_ddl.create_event_store('ordering');
