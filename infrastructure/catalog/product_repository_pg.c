/*
 * infrastructure/catalog/product_repository_pg.c — Catalog's products in PostgreSQL.
 *
 * Pattern: a repository (DDD) as an adapter (hexagonal architecture) of the port
 * application/catalog/product_repository.h, with optimistic locking on a version column.
 *
 * A save never reads first.  The version check is part of the one statement that writes:
 *   - a new product (expected version 0) is INSERT ... ON CONFLICT (sku) DO NOTHING: if
 *     another writer added the SKU first, no row is inserted;
 *   - a known product (expected version n) is UPDATE ... WHERE sku = $1 AND version = n:
 *     if another writer saved version n + 1 first, no row matches.
 * Zero rows written is SHOP_ECONFLICT.  Two concurrent UPDATEs of one row are serialised
 * by the row lock PostgreSQL takes for the statement: the second re-checks the WHERE on
 * the row the first committed, finds version n + 1, and updates nothing.  No lock is
 * held between a load and a save.
 *
 * Transactional outbox in one statement: the write of the state is a data-modifying CTE
 * and the outbox rows are selected FROM it,
 *     WITH saved AS (INSERT ... ON CONFLICT DO NOTHING RETURNING 1 | UPDATE ... RETURNING 1)
 *     INSERT INTO catalog.outbox (...) SELECT ... FROM saved, jsonb_to_recordset($messages)
 * so when the state is not written (a conflict) there is no row in saved and no message
 * either; when it is, both commit or neither does, whatever transaction the caller runs
 * the statement in.  The messages (catalog_messages.c) travel as one jsonb array
 * parameter.  The count of outbox rows written tells which happened.
 *
 * Statements are prepared once per connection (PQprepare) and run with PQexecPrepared;
 * parameters and results travel as text.  The list is ordered COLLATE "C" so that it is
 * sku_compare's (strcmp's) order whatever the database's collation.
 * Read next: tests/contract/product_repository_contract.c (the promises, run on this
 * adapter and on the in-memory one).
 */
#include "infrastructure/catalog/product_repository_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/catalog/catalog_messages.h"
#include "infrastructure/postgres/sqlstate.h"

#include <cjson/cJSON.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_LOAD, ST_LIST, ST_INSERT, ST_UPDATE, ST_COUNT };

static const char *const statement_name[ST_COUNT] = {
    "catalog_products_load", "catalog_products_list", "catalog_products_insert",
    "catalog_products_update"};

/* The outbox rows of a save, one per element of the jsonb array parameter, only if the
 * CTE `saved` wrote the product. */
#define OUTBOX_INSERT(param)                                                                       \
    " INSERT INTO catalog.outbox (message_id, type, schema_version, stream, payload,"              \
    "                             correlation_id, causation_id, traceparent)"                      \
    " SELECT m.message_id, m.type, m.schema_version, m.stream, m.payload,"                         \
    "        m.correlation_id, m.causation_id, m.traceparent"                                      \
    "   FROM saved, jsonb_to_recordset(" param "::jsonb) AS m(message_id uuid, type text,"         \
    "        schema_version int, stream text, payload jsonb, correlation_id uuid,"                 \
    "        causation_id uuid, traceparent text)"

static const char *const statement_sql[ST_COUNT] = {
    [ST_LOAD] = "SELECT sku, name, price_minor, currency, version FROM catalog.products"
                " WHERE sku = $1",
    [ST_LIST] = "SELECT sku, name, price_minor, currency, version FROM catalog.products"
                " ORDER BY sku COLLATE \"C\"",
    [ST_INSERT] = "WITH saved AS ("
                  "  INSERT INTO catalog.products (sku, name, price_minor, currency, version)"
                  "  VALUES ($1, $2, $3::bigint, $4, 1)"
                  "  ON CONFLICT (sku) DO NOTHING RETURNING 1)" OUTBOX_INSERT("$5"),
    [ST_UPDATE] = "WITH saved AS ("
                  "  UPDATE catalog.products"
                  "     SET name = $2, price_minor = $3::bigint, currency = $4,"
                  "         version = version + 1, updated_at = statement_timestamp()"
                  "   WHERE sku = $1 AND version = $5::bigint RETURNING 1)" OUTBOX_INSERT("$6"),
};

struct product_repository_pg {
    struct product_repository base; /* first: the port */
    PGconn *conn;                   /* borrowed */
};

/* ------------------------------------------------------------------ rows */

static int bad_row(const PGresult *res, int row, int col)
{
    char q[TEXT_QUOTE_SIZE];
    return shop_error_set(SHOP_EINTERNAL, "unexpected value \"%s\" in catalog.products.%s",
                          text_quote(q, PQgetvalue(res, row, col)), PQfname(res, col));
}

/* Columns sku, name, price_minor, currency, version of one row, checked as the domain
 * checks input: a row that the rules would refuse is a fault, not a product. */
static int decode_row(product *out, int64_t *out_version, const PGresult *res, int row)
{
    const currency *cur;
    int64_t minor;

    product_init(out);
    for (int col = 0; col < 5; col++)
        if (PQgetisnull(res, row, col))
            return bad_row(res, row, col);
    if (sku_parse(&out->sku, PQgetvalue(res, row, 0)) < 0)
        return bad_row(res, row, 0);
    if (product_name_parse(&out->name, PQgetvalue(res, row, 1)) < 0)
        return bad_row(res, row, 1);
    if (text_parse_int64(&minor, PQgetvalue(res, row, 2)) < 0)
        return bad_row(res, row, 2);
    if (currency_find(&cur, PQgetvalue(res, row, 3)) < 0)
        return bad_row(res, row, 3);
    if (text_parse_int64(out_version, PQgetvalue(res, row, 4)) < 0 || *out_version < 1)
        return bad_row(res, row, 4);
    out->price = money_make(cur, minor);
    out->exists = true;
    return 0;
}

/* ------------------------------------------------------------------ the port */

static int pg_load(struct product_repository *self, product *out, int64_t *out_version,
                   const sku *s)
{
    struct product_repository_pg *r = (struct product_repository_pg *)self;
    const char *values[1] = {s->code};
    int rc = 0;

    product_init(out);
    *out_version = 0;
    PGresult *res = PQexecPrepared(r->conn, statement_name[ST_LOAD], 1, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_result_error(r->conn, res, "loading a product");
    else if (PQntuples(res) == 1)
        rc = decode_row(out, out_version, res, 0);
    if (rc < 0) {
        product_init(out);
        *out_version = 0;
    }
    PQclear(res);
    return rc;
}

static int pg_list(struct product_repository *self, struct product_list *out)
{
    struct product_repository_pg *r = (struct product_repository_pg *)self;
    int rc = 0;

    out->items = NULL;
    out->count = 0;
    PGresult *res = PQexecPrepared(r->conn, statement_name[ST_LIST], 0, NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(r->conn, res, "listing the products");
        goto done;
    }
    int rows = PQntuples(res);
    if (rows == 0)
        goto done;
    out->items = shop_xcalloc((size_t)rows, sizeof *out->items);
    for (int i = 0; i < rows && rc == 0; i++) {
        int64_t version;
        if ((rc = decode_row(&out->items[i], &version, res, i)) == 0)
            out->count++;
    }
    if (rc < 0)
        product_list_dispose(out);
done:
    PQclear(res);
    return rc;
}

static void add_uuid_or_null(cJSON *obj, const char *key, shop_uuid id)
{
    char text[UUID_STRING_SIZE];
    if (uuid_is_nil(id))
        cJSON_AddNullToObject(obj, key);
    else
        cJSON_AddStringToObject(obj, key, uuid_format(text, id));
}

/* The outbox rows of a save as one JSON array (the jsonb parameter of the statement):
 * *out malloc'd.  SHOP_EINVALID if an event cannot be translated. */
static int messages_json(char **out, const product_event *events, size_t n, int64_t catalog_version,
                         const struct message_meta *meta)
{
    cJSON *rows = cJSON_CreateArray();
    char id[UUID_STRING_SIZE];
    int rc = 0;

    *out = NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct outgoing_message m;
        if ((rc = catalog_message_from_event(&m, &events[i], catalog_version, meta)) < 0)
            break;
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToArray(rows, row);
        cJSON_AddStringToObject(row, "message_id", uuid_format(id, m.meta.message_id));
        cJSON_AddStringToObject(row, "type", m.type);
        cJSON_AddNumberToObject(row, "schema_version", m.schema_version);
        cJSON_AddStringToObject(row, "stream", m.stream);
        cJSON *payload = cJSON_Parse(m.payload);
        if (!payload)
            abort(); /* our own JSON: only out of memory */
        cJSON_AddItemToObject(row, "payload", payload);
        add_uuid_or_null(row, "correlation_id", m.meta.correlation_id);
        add_uuid_or_null(row, "causation_id", m.meta.causation_id);
        if (m.meta.traceparent[0])
            cJSON_AddStringToObject(row, "traceparent", m.meta.traceparent);
        else
            cJSON_AddNullToObject(row, "traceparent");
        outgoing_message_dispose(&m);
    }
    if (rc == 0 && !(*out = cJSON_PrintUnformatted(rows)))
        abort();
    cJSON_Delete(rows);
    return rc;
}

static int pg_save(struct product_repository *self, const product *state, int64_t expected_version,
                   const product_event *events, size_t n, const struct message_meta *meta)
{
    struct product_repository_pg *r = (struct product_repository_pg *)self;
    char minor[24], version[24], count[24];
    char *messages = NULL;
    int rc = 0;

    if (n == 0) /* nothing was decided: nothing changes */
        return 0;
    if (!state->exists || !state->price.currency)
        return shop_error_set(SHOP_EINVALID, "cannot save product %s: it does not exist",
                              state->sku.code);
    if (expected_version < 0)
        return shop_error_set(SHOP_EINVALID, "cannot save product %s at version %" PRId64,
                              state->sku.code, expected_version);
    if (n > PRODUCT_MAX_DECIDED_EVENTS || !meta || uuid_is_nil(meta->message_id))
        return shop_error_set(SHOP_EINVALID,
                              "cannot save product %s: a save publishes at most %d event, "
                              "with a message id",
                              state->sku.code, PRODUCT_MAX_DECIDED_EVENTS);
    if ((rc = messages_json(&messages, events, n, expected_version + 1, meta)) < 0)
        return rc;
    snprintf(minor, sizeof minor, "%" PRId64, state->price.minor);
    snprintf(version, sizeof version, "%" PRId64, expected_version);
    snprintf(count, sizeof count, "%zu", n);
    int st = expected_version == 0 ? ST_INSERT : ST_UPDATE;
    const char *values[6] = {state->sku.code, state->name.text, minor, state->price.currency->code};
    values[4] = st == ST_INSERT ? messages : version;
    values[5] = messages;
    PGresult *res =
        PQexecPrepared(r->conn, statement_name[st], st == ST_INSERT ? 5 : 6, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_result_error(r->conn, res, "saving a product");
    else if (strcmp(PQcmdTuples(res), count) != 0)
        rc = shop_error_set(SHOP_ECONFLICT,
                            "product %s is no longer at version %" PRId64
                            ": another writer saved it first",
                            state->sku.code, expected_version);
    PQclear(res);
    free(messages);
    return rc;
}

static void pg_free(struct product_repository *self)
{
    free(self);
}

/*
 * Prepares the statements this connection does not have yet (a second repository on the
 * same connection reuses the first one's; preparing twice would fail with 42P05).
 */
static int prepare_statements(PGconn *conn)
{
    bool present[ST_COUNT] = {false};
    int rc = 0;

    PGresult *res = PQexec(conn, "SELECT name FROM pg_prepared_statements"
                                 " WHERE name LIKE 'catalog\\_products\\_%'");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, "looking up the catalog's prepared statements");
        PQclear(res);
        return rc;
    }
    for (int row = 0; row < PQntuples(res); row++)
        for (int i = 0; i < ST_COUNT; i++)
            present[i] |= strcmp(PQgetvalue(res, row, 0), statement_name[i]) == 0;
    PQclear(res);

    for (int i = 0; i < ST_COUNT && rc == 0; i++) {
        if (present[i])
            continue;
        res = PQprepare(conn, statement_name[i], statement_sql[i], 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = pg_result_error(conn, res, "preparing the catalog (is the database migrated?)");
            /* A missing table or schema: the migrations have not run, the database is not
             * ready (exit 3), not a fault of the program. */
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (state && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0))
                rc = shop_error_set(SHOP_EUNAVAILABLE, "%s", shop_error_message());
        }
        PQclear(res);
    }
    return rc;
}

int product_repository_pg_new(struct product_repository **out, PGconn *conn)
{
    *out = NULL;
    int rc = prepare_statements(conn);
    if (rc < 0)
        return rc;
    struct product_repository_pg *r = shop_xcalloc(1, sizeof *r);
    r->base.version = PRODUCT_REPOSITORY_VERSION;
    r->base.load = pg_load;
    r->base.list = pg_list;
    r->base.save = pg_save;
    r->base.free = pg_free;
    r->conn = conn;
    *out = &r->base;
    return 0;
}
