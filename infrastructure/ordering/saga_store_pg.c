/*
 * infrastructure/ordering/saga_store_pg.c — the fulfilment saga's row and its commands
 * on PostgreSQL (see saga_store_pg.h; the port: application/ordering/saga_store.h).
 *
 * save() is one statement, a CTE:
 *     written  INSERT the row at version 1          (expected version 0; ON CONFLICT
 *              DO NOTHING: another handler made it first)
 *              or UPDATE ... WHERE version = expected (moves it on by one)
 *     queued   INSERT INTO ordering.outbox the commands (unnest of arrays, in order),
 *              only if a row was written, ON CONFLICT (message_id) DO NOTHING
 * No row written is SHOP_ECONFLICT, and then nothing was queued either.  The commands'
 * message ids are derived from (order, command, attempt): a decision replayed after a
 * crash queues nothing twice (the outbox, then the bus, keep one message per id).
 *
 * data is the whole saga as JSON (the shape below); state, deadline, reason, started_at
 * and updated_at are kept beside it for the timer's index and `shop saga list`:
 *   {"order_id", "state", "customer", "ship_to", "postcode",
 *    "lines": [{"sku", "quantity"}], "total", "card", "stock_reserved",
 *    "payment_authorized", "shipment_scheduled", "order_cancelled", "reason", "attempt",
 *    "deadline_us", "started_at_us", "updated_at_us", "steps": [{"name", "at_us"}]}
 * Money is "24.90 EUR", times are microseconds since 1970 as strings of digits (a JSON
 * number is a double), like infrastructure/ordering/order_codec.c, and, like it, reading
 * is strict: stored text may be damaged, and the decider must trust what it gets.
 * Read next: saga_messages.c (the commands' payloads), fulfilment_subscription.c
 */
#include "infrastructure/ordering/saga_store_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/ordering/saga_messages.h"
#include "infrastructure/postgres/pg_array.h"
#include "infrastructure/postgres/sqlstate.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIME_DIGITS_MAX 19

struct saga_store_pg {
    struct saga_store base; /* first */
    PGconn *conn;
};

/* ================================================================ the data column */

static cJSON *json_must(cJSON *item)
{
    if (!item)
        abort(); /* out of memory: domain/shared/memory.h's policy */
    return item;
}

static void add_string(cJSON *obj, const char *key, const char *value)
{
    json_must(cJSON_AddStringToObject(obj, key, value));
}

static void add_time(cJSON *obj, const char *key, int64_t us)
{
    char text[TIME_DIGITS_MAX + 2];
    snprintf(text, sizeof text, "%" PRId64, us);
    add_string(obj, key, text);
}

int saga_data_encode(char **out_json, const fulfilment_saga *s)
{
    char id[UUID_STRING_SIZE], total[MONEY_FORMAT_MAX];
    *out_json = NULL;
    if (s->line_count > ORDER_MAX_LINES || s->step_count > SAGA_MAX_STEPS)
        return shop_error_set(SHOP_EINVALID, "a saga with %zu lines and %zu steps cannot be saved",
                              s->line_count, s->step_count);
    if (s->state == SAGA_NONE || saga_state_from_name(saga_state_name(s->state)) != s->state)
        return shop_error_set(SHOP_EINVALID, "a saga in state %d cannot be saved", (int)s->state);
    int rc = money_format(total, sizeof total, s->total);
    if (rc < 0)
        return rc;
    cJSON *obj = json_must(cJSON_CreateObject());
    add_string(obj, "order_id", uuid_format(id, s->order.uuid));
    add_string(obj, "state", saga_state_name(s->state));
    add_string(obj, "customer", s->customer.text);
    add_string(obj, "ship_to", s->address.ship_to.text);
    add_string(obj, "postcode", s->address.postcode.code);
    cJSON *lines = json_must(cJSON_AddArrayToObject(obj, "lines"));
    for (size_t i = 0; i < s->line_count; i++) {
        cJSON *line = json_must(cJSON_CreateObject());
        cJSON_AddItemToArray(lines, line);
        add_string(line, "sku", s->lines[i].sku.code);
        json_must(cJSON_AddNumberToObject(line, "quantity", s->lines[i].quantity.value));
    }
    add_string(obj, "total", total);
    add_string(obj, "card", s->card);
    json_must(cJSON_AddBoolToObject(obj, "stock_reserved", s->stock_reserved));
    json_must(cJSON_AddBoolToObject(obj, "payment_authorized", s->payment_authorized));
    json_must(cJSON_AddBoolToObject(obj, "shipment_scheduled", s->shipment_scheduled));
    json_must(cJSON_AddBoolToObject(obj, "order_cancelled", s->order_cancelled));
    add_string(obj, "reason", s->reason);
    json_must(cJSON_AddNumberToObject(obj, "attempt", s->attempt));
    add_time(obj, "deadline_us", s->deadline_us);
    add_time(obj, "started_at_us", s->started_at_us);
    add_time(obj, "updated_at_us", s->updated_at_us);
    cJSON *steps = json_must(cJSON_AddArrayToObject(obj, "steps"));
    for (size_t i = 0; i < s->step_count; i++) {
        cJSON *st = json_must(cJSON_CreateObject());
        cJSON_AddItemToArray(steps, st);
        add_string(st, "name", s->steps[i].name);
        add_time(st, "at_us", s->steps[i].at_us);
    }
    *out_json = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!*out_json)
        abort();
    return 0;
}

static int refuse(const char *member, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(const char *member, const char *fmt, ...)
{
    char detail[SHOP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return shop_error_set(SHOP_EINVALID, "saga data: member \"%s\" %s", member, detail);
}

static int get_string(const char **out, const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return refuse(key, "is missing");
    if (!cJSON_IsString(item))
        return refuse(key, "must be a string");
    *out = item->valuestring;
    return 0;
}

/* A string of at most max bytes, UTF-8 without control characters, copied to out. */
static int get_text(char *out, size_t max, const cJSON *obj, const char *key)
{
    const char *text;
    int rc = get_string(&text, obj, key);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if (n > max)
        return refuse(key, "must be at most %zu bytes, got %zu", max, n);
    for (const char *p = text; *p;) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, p);
        if (len == 0 || text_is_control(cp))
            return refuse(key, "must be UTF-8 without control characters");
        p += len;
    }
    memcpy(out, text, n + 1);
    return 0;
}

static int get_time(int64_t *out, const cJSON *obj, const char *key)
{
    const char *text;
    int rc = get_string(&text, obj, key);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if (n == 0 || n > TIME_DIGITS_MAX || strspn(text, "0123456789") != n ||
        text_parse_int64(out, text) < 0)
        return refuse(key, "must be microseconds since 1970 as a string of digits");
    return 0;
}

static int get_bool(bool *out, const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return refuse(key, "is missing");
    if (!cJSON_IsBool(item))
        return refuse(key, "must be true or false");
    *out = cJSON_IsTrue(item);
    return 0;
}

static int get_int(int *out, const cJSON *obj, const char *key, int min, int max)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return refuse(key, "is missing");
    double d = cJSON_IsNumber(item) ? item->valuedouble : -1e300;
    if (!(d >= min && d <= max) || d != (double)(int)d)
        return refuse(key, "must be an integer from %d to %d", min, max);
    *out = (int)d;
    return 0;
}

static int get_lines(fulfilment_saga *s, const cJSON *root)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(root, "lines"), *line;
    if (!cJSON_IsArray(lines))
        return refuse("lines", lines ? "must be an array" : "is missing");
    int n = cJSON_GetArraySize(lines);
    if (n < 1 || n > ORDER_MAX_LINES)
        return refuse("lines", "must hold 1 to %d lines, got %d", ORDER_MAX_LINES, n);
    size_t i = 0;
    cJSON_ArrayForEach(line, lines)
    {
        const char *code;
        int qty;
        int rc;
        if (!cJSON_IsObject(line))
            return refuse("lines", "must hold objects");
        if ((rc = get_string(&code, line, "sku")) < 0)
            return rc;
        if (sku_parse(&s->lines[i].sku, code) < 0 || strcmp(s->lines[i].sku.code, code) != 0)
            return refuse("lines", "line %zu: \"sku\" is not a SKU", i);
        if ((rc = get_int(&qty, line, "quantity", QUANTITY_MIN, QUANTITY_MAX)) < 0)
            return rc;
        quantity_make(&s->lines[i].quantity, qty);
        i++;
    }
    s->line_count = i;
    return 0;
}

static int get_steps(fulfilment_saga *s, const cJSON *root)
{
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps"), *st;
    if (!cJSON_IsArray(steps))
        return refuse("steps", steps ? "must be an array" : "is missing");
    if (cJSON_GetArraySize(steps) > SAGA_MAX_STEPS)
        return refuse("steps", "must hold at most %d steps", SAGA_MAX_STEPS);
    size_t i = 0;
    int rc;
    cJSON_ArrayForEach(st, steps)
    {
        if (!cJSON_IsObject(st))
            return refuse("steps", "must hold objects");
        if ((rc = get_text(s->steps[i].name, SAGA_STEP_NAME_MAX, st, "name")) < 0 ||
            (rc = get_time(&s->steps[i].at_us, st, "at_us")) < 0)
            return rc;
        i++;
    }
    s->step_count = i;
    return 0;
}

static int read_saga(fulfilment_saga *s, const cJSON *root)
{
    const char *text;
    int rc;
    if ((rc = get_string(&text, root, "order_id")) < 0)
        return rc;
    if (order_id_parse(&s->order, text) < 0)
        return refuse("order_id", "must be a UUID");
    if ((rc = get_string(&text, root, "state")) < 0)
        return rc;
    if ((s->state = saga_state_from_name(text)) == SAGA_NONE)
        return refuse("state", "is not a state of the saga");
    if ((rc = get_string(&text, root, "customer")) < 0)
        return rc;
    if (customer_id_parse(&s->customer, text) < 0)
        return refuse("customer", "is not a customer id");
    if ((rc = get_string(&text, root, "ship_to")) < 0)
        return rc;
    if (ship_to_parse(&s->address.ship_to, text) < 0)
        return refuse("ship_to", "is not an address");
    if ((rc = get_string(&text, root, "postcode")) < 0)
        return rc;
    if (postcode_parse(&s->address.postcode, text) < 0)
        return refuse("postcode", "is not a postcode");
    if ((rc = get_lines(s, root)) < 0)
        return rc;
    if ((rc = get_string(&text, root, "total")) < 0)
        return rc;
    if (money_parse(&s->total, text, NULL) < 0)
        return refuse("total", "must be an amount like \"24.90 EUR\"");
    if ((rc = get_text(s->card, SAGA_CARD_MAX, root, "card")) < 0)
        return rc;
    if (s->card[0] && order_card_check(s->card) < 0)
        return refuse("card", "is not a card token");
    if ((rc = get_bool(&s->stock_reserved, root, "stock_reserved")) < 0 ||
        (rc = get_bool(&s->payment_authorized, root, "payment_authorized")) < 0 ||
        (rc = get_bool(&s->shipment_scheduled, root, "shipment_scheduled")) < 0 ||
        (rc = get_bool(&s->order_cancelled, root, "order_cancelled")) < 0 ||
        (rc = get_text(s->reason, ORDER_REASON_MAX, root, "reason")) < 0 ||
        (rc = get_int(&s->attempt, root, "attempt", 0, 1000000)) < 0 ||
        (rc = get_time(&s->deadline_us, root, "deadline_us")) < 0 ||
        (rc = get_time(&s->started_at_us, root, "started_at_us")) < 0 ||
        (rc = get_time(&s->updated_at_us, root, "updated_at_us")) < 0)
        return rc;
    return get_steps(s, root);
}

int saga_data_decode(fulfilment_saga *out, const char *json)
{
    memset(out, 0, sizeof *out);
    cJSON *root = json ? cJSON_ParseWithLengthOpts(json, strlen(json) + 1, NULL, 1) : NULL;
    int rc = cJSON_IsObject(root) ? read_saga(out, root)
                                  : shop_error_set(SHOP_EINVALID, "saga data: not one JSON object");
    cJSON_Delete(root);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ================================================================ the adapter */

#define MICROS_TO_TIMESTAMPTZ(p) "(timestamptz 'epoch' + " p "::bigint * interval '1 microsecond')"
#define TIMESTAMPTZ_TO_MICROS(c) "(extract(epoch FROM " c ") * 1000000)::bigint"

static const char sql_load[] =
    "SELECT version, data::text FROM ordering.sagas WHERE order_id = $1::uuid";

static const char sql_save[] =
    "WITH inserted AS ("
    "    INSERT INTO ordering.sagas (order_id, state, version, data, deadline, reason,"
    "                                started_at, updated_at)"
    "    SELECT $1::uuid, $2, 1, $4::jsonb, " MICROS_TO_TIMESTAMPTZ(
        "nullif($5, '0')") ", $6,"
                           "           " MICROS_TO_TIMESTAMPTZ("$7") ", " MICROS_TO_TIMESTAMPTZ(
                               "$8") "     WHERE $3::bigint = 0"
                                     "    ON CONFLICT (order_id) DO NOTHING"
                                     "    RETURNING version),"
                                     " updated AS ("
                                     "    UPDATE ordering.sagas"
                                     "       SET state = $2, version = version + 1, data = "
                                     "$4::jsonb,"
                                     "           deadline = " MICROS_TO_TIMESTAMPTZ(
                                         "nullif($5, '0')") ", reason = $6,"
                                                            "           updated_at "
                                                            "= " MICROS_TO_TIMESTAMPTZ(
                                                                "$8") "     WHERE order_id = "
                                                                      "$1::uuid AND version = "
                                                                      "$3::bigint AND $3::bigint > "
                                                                      "0"
                                                                      "    RETURNING version),"
                                                                      " written AS (SELECT version "
                                                                      "FROM inserted UNION ALL "
                                                                      "SELECT version FROM "
                                                                      "updated),"
                                                                      " queued AS ("
                                                                      "    INSERT INTO "
                                                                      "ordering.outbox "
                                                                      "(message_id, type, "
                                                                      "schema_version, stream, "
                                                                      "payload,"
                                                                      "                            "
                                                                      "     correlation_id, "
                                                                      "causation_id, traceparent)"
                                                                      "    SELECT c.message_id, "
                                                                      "c.type, 1, $9, c.payload, "
                                                                      "$10::uuid, $11::uuid, $12"
                                                                      "      FROM "
                                                                      "unnest($13::uuid[], "
                                                                      "$14::text[], $15::jsonb[]) "
                                                                      "WITH ORDINALITY"
                                                                      "           AS c "
                                                                      "(message_id, type, payload, "
                                                                      "n)"
                                                                      "     WHERE EXISTS (SELECT 1 "
                                                                      "FROM written)"
                                                                      "     ORDER BY c.n"
                                                                      "    ON CONFLICT "
                                                                      "(message_id) DO NOTHING"
                                                                      "    RETURNING 1)"
                                                                      " SELECT (SELECT count(*) "
                                                                      "FROM written), (SELECT "
                                                                      "count(*) FROM queued)";

static const char sql_due[] = "SELECT order_id FROM ordering.sagas"
                              " WHERE deadline IS NOT NULL AND deadline <= " MICROS_TO_TIMESTAMPTZ(
                                  "$1") "   AND state NOT IN ('confirmed', 'cancelled', 'stuck')"
                                        " ORDER BY deadline, order_id LIMIT $2::bigint";

static const char sql_list[] = "SELECT order_id, state, reason, coalesce(" TIMESTAMPTZ_TO_MICROS(
    "deadline") ", 0),"
                "       " TIMESTAMPTZ_TO_MICROS(
                    "updated_at") ", version"
                                  "  FROM ordering.sagas WHERE $1::text IS NULL OR state = $1"
                                  " ORDER BY updated_at DESC, order_id";

static int pg_load(struct saga_store *self, fulfilment_saga *out, int64_t *out_version,
                   const order_id *id)
{
    struct saga_store_pg *s = (struct saga_store_pg *)self;
    char text[UUID_STRING_SIZE];
    const char *params[] = {uuid_format(text, id->uuid)};
    memset(out, 0, sizeof *out);
    *out_version = 0;
    PGresult *res = PQexecParams(s->conn, sql_load, 1, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(s->conn, res, "loading the saga");
    } else if (PQntuples(res) == 1) {
        if ((rc = saga_data_decode(out, PQgetvalue(res, 0, 1))) < 0) {
            char why[SHOP_ERROR_MESSAGE_MAX];
            snprintf(why, sizeof why, "%s", shop_error_message());
            rc = shop_error_set(SHOP_EINTERNAL, "the saga of order %s cannot be read: %s", text,
                                why);
        } else if (!uuid_equal(out->order.uuid, id->uuid)) {
            rc = shop_error_set(SHOP_EINTERNAL, "the saga row of order %s holds another order",
                                text);
        } else {
            *out_version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        }
        if (rc < 0)
            memset(out, 0, sizeof *out);
    }
    PQclear(res);
    return rc;
}

static int pg_save(struct saga_store *self, const fulfilment_saga *saga, int64_t expected_version,
                   const struct saga_command *commands, size_t n, const struct message_meta *cause)
{
    struct saga_store_pg *s = (struct saga_store_pg *)self;
    char id[UUID_STRING_SIZE], expected[24], deadline[24], started[24], updated[24];
    char stream[ORDER_STREAM_ID_SIZE], correlation[UUID_STRING_SIZE], causation[UUID_STRING_SIZE];
    char *data = NULL;
    struct pg_array ids, types, payloads;
    pg_array_init(&ids);
    pg_array_init(&types);
    pg_array_init(&payloads);
    int rc;

    if (expected_version < 0) {
        rc = shop_error_set(SHOP_EINVALID, "a saga is saved at version 0 or more");
        goto done;
    }
    if ((rc = saga_data_encode(&data, saga)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        struct outgoing_message m;
        if ((rc = saga_message_from_command(&m, saga, &commands[i], cause)) < 0)
            goto done;
        char mid[UUID_STRING_SIZE];
        pg_array_add(&ids, uuid_format(mid, m.meta.message_id));
        pg_array_add(&types, m.type);
        pg_array_add(&payloads, m.payload);
        outgoing_message_dispose(&m);
    }
    snprintf(expected, sizeof expected, "%" PRId64, expected_version);
    snprintf(deadline, sizeof deadline, "%" PRId64, saga->deadline_us);
    snprintf(started, sizeof started, "%" PRId64,
             saga->started_at_us ? saga->started_at_us : saga->updated_at_us);
    snprintf(updated, sizeof updated, "%" PRId64, saga->updated_at_us);
    bool traced = cause && cause->traceparent[0];
    const char *params[15] = {
        uuid_format(id, saga->order.uuid),
        saga_state_name(saga->state),
        expected,
        data,
        deadline,
        saga->reason,
        started,
        updated,
        order_stream_id(stream, saga->order),
        cause && !uuid_is_nil(cause->correlation_id)
            ? uuid_format(correlation, cause->correlation_id)
            : NULL,
        cause && !uuid_is_nil(cause->message_id) ? uuid_format(causation, cause->message_id) : NULL,
        traced ? cause->traceparent : NULL,
        pg_array_text(&ids),
        pg_array_text(&types),
        pg_array_text(&payloads),
    };
    PGresult *res = PQexecParams(s->conn, sql_save, 15, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(s->conn, res, "saving the saga");
    } else if (strcmp(PQgetvalue(res, 0, 0), "1") != 0) {
        rc = shop_error_set(SHOP_ECONFLICT,
                            "the saga of order %s is no longer at version %" PRId64
                            " (another handler moved it on)",
                            id, expected_version);
    }
    PQclear(res);
done:
    free(data);
    pg_array_dispose(&ids);
    pg_array_dispose(&types);
    pg_array_dispose(&payloads);
    return rc;
}

static int pg_due(struct saga_store *self, order_id *out, size_t max, size_t *out_count,
                  int64_t now_us)
{
    struct saga_store_pg *s = (struct saga_store_pg *)self;
    char now[24], limit[24];
    snprintf(now, sizeof now, "%" PRId64, now_us);
    snprintf(limit, sizeof limit, "%zu", max);
    const char *params[] = {now, limit};
    *out_count = 0;
    PGresult *res = PQexecParams(s->conn, sql_due, 2, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(s->conn, res, "finding the sagas past their deadline");
    } else {
        for (int i = 0; i < PQntuples(res) && (size_t)i < max; i++)
            if (uuid_parse(&out[(*out_count)++].uuid, PQgetvalue(res, i, 0)) < 0)
                rc = shop_error_set(SHOP_EINTERNAL, "a saga row without a UUID");
    }
    PQclear(res);
    return rc;
}

static int pg_list(struct saga_store *self, struct saga_summary **out, size_t *out_count,
                   enum saga_state state)
{
    struct saga_store_pg *s = (struct saga_store_pg *)self;
    const char *params[] = {state == SAGA_NONE ? NULL : saga_state_name(state)};
    *out = NULL;
    *out_count = 0;
    PGresult *res = PQexecParams(s->conn, sql_list, 1, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(s->conn, res, "listing the sagas");
    } else {
        size_t n = (size_t)PQntuples(res);
        struct saga_summary *list = shop_xcalloc(n ? n : 1, sizeof *list);
        for (size_t i = 0; i < n; i++) {
            struct saga_summary *row = &list[i];
            uuid_parse(&row->order.uuid, PQgetvalue(res, (int)i, 0));
            row->state = saga_state_from_name(PQgetvalue(res, (int)i, 1));
            snprintf(row->reason, sizeof row->reason, "%s", PQgetvalue(res, (int)i, 2));
            row->deadline_us = strtoll(PQgetvalue(res, (int)i, 3), NULL, 10);
            row->updated_at_us = strtoll(PQgetvalue(res, (int)i, 4), NULL, 10);
            row->version = strtoll(PQgetvalue(res, (int)i, 5), NULL, 10);
        }
        *out = list;
        *out_count = n;
    }
    PQclear(res);
    return rc;
}

static void pg_free(struct saga_store *self)
{
    free(self);
}

int saga_store_pg_new(struct saga_store **out, PGconn *conn)
{
    struct saga_store_pg *s = shop_xcalloc(1, sizeof *s);
    s->base.version = SAGA_STORE_VERSION;
    s->base.load = pg_load;
    s->base.save = pg_save;
    s->base.due = pg_due;
    s->base.list = pg_list;
    s->base.free = pg_free;
    s->conn = conn;
    *out = &s->base;
    return 0;
}
