/*
 * infrastructure/inventory/reservation_repository_pg.c — the reservation repository on
 * PostgreSQL (a libpq adapter of application/inventory/reservation_repository.h).
 *
 * One row per order in inventory.reservations: status, version, and the lines as a JSON
 * array (they never change after the reservation is made).  The first save is an INSERT
 * (a second one for the same order is a unique violation: SHOP_ECONFLICT, and the
 * handler's retry then finds the reservation made); later saves are
 * UPDATE ... WHERE order_id = $1 AND version = $4, zero rows being SHOP_ECONFLICT.
 * The statements are prepared once per connection, by reservation_repository_pg_new.
 * Read next: unit_of_work_pg.c
 */
#include "infrastructure/inventory/inventory_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/postgres/sqlstate.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_LOAD, ST_INSERT, ST_UPDATE, ST_COUNT };

static const struct inventory_pg_statement statements[ST_COUNT] = {
    [ST_LOAD] = {"inventory_reservations_load",
                 "SELECT status, lines, version"
                 "  FROM inventory.reservations WHERE order_id = $1"},
    [ST_INSERT] = {"inventory_reservations_insert",
                   "INSERT INTO inventory.reservations (order_id, status, lines, version)"
                   " VALUES ($1::uuid, $2, $3::jsonb, 1)"},
    [ST_UPDATE] = {"inventory_reservations_update",
                   "UPDATE inventory.reservations"
                   "   SET status = $2, lines = $3::jsonb, version = version + 1,"
                   "       updated_at = statement_timestamp()"
                   " WHERE order_id = $1::uuid AND version = $4::bigint"},
};

struct reservation_repository_pg {
    struct reservation_repository base; /* first */
    PGconn *conn;
};

char *reservation_lines_encode(const reservation *r)
{
    cJSON *lines = cJSON_CreateArray();
    for (size_t i = 0; i < r->line_count; i++) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "sku", r->lines[i].sku.code);
        cJSON_AddNumberToObject(line, "quantity", r->lines[i].quantity.value);
        cJSON_AddItemToArray(lines, line);
    }
    char *text = cJSON_PrintUnformatted(lines);
    cJSON_Delete(lines);
    if (!text)
        shop_out_of_memory();
    return text;
}

int reservation_lines_decode(reservation *r, const char *json)
{
    cJSON *lines = cJSON_Parse(json);
    int rc = 0;
    size_t n = 0;
    const cJSON *line;
    if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) < 1 ||
        cJSON_GetArraySize(lines) > RESERVATION_MAX_LINES) {
        rc = shop_error_set(SHOP_EINTERNAL, "stored reservation lines are not an array of 1-%d",
                            RESERVATION_MAX_LINES);
        goto done;
    }
    cJSON_ArrayForEach(line, lines)
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(line, "sku");
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(line, "quantity");
        if (!cJSON_IsString(s) || !cJSON_IsNumber(q) ||
            sku_parse(&r->lines[n].sku, s->valuestring) < 0 ||
            quantity_make(&r->lines[n].quantity, (int64_t)q->valuedouble) < 0 ||
            (double)r->lines[n].quantity.value != q->valuedouble) {
            rc = shop_error_set(SHOP_EINTERNAL,
                                "stored reservation line %zu is not "
                                "{sku, quantity 1-999}",
                                n + 1);
            goto done;
        }
        n++;
    }
    r->line_count = n;
done:
    cJSON_Delete(lines);
    return rc;
}

static int pg_load(struct reservation_repository *self, reservation *out, int64_t *out_version,
                   shop_uuid order_id)
{
    struct reservation_repository_pg *r = (struct reservation_repository_pg *)self;
    char id[UUID_STRING_SIZE];
    const char *params[] = {uuid_format(id, order_id)};
    int rc = 0;
    reservation_init(out, order_id);
    *out_version = 0;
    PGresult *res = PQexecPrepared(r->conn, statements[ST_LOAD].name, 1, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(r->conn, res, "loading a reservation");
    } else if (PQntuples(res) == 1) {
        out->status = reservation_status_from_name(PQgetvalue(res, 0, 0));
        if (out->status == RESERVATION_STATUS_NONE)
            rc = shop_error_set(SHOP_EINTERNAL, "reservation %s has an unknown status", id);
        else if ((rc = reservation_lines_decode(out, PQgetvalue(res, 0, 1))) == 0)
            *out_version = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        if (rc < 0)
            reservation_init(out, order_id);
    }
    PQclear(res);
    return rc;
}

static int pg_save(struct reservation_repository *self, const reservation *res_,
                   int64_t expected_version)
{
    struct reservation_repository_pg *r = (struct reservation_repository_pg *)self;
    char id[UUID_STRING_SIZE], version[24];
    char *lines = NULL;
    int rc = 0;
    if (res_->status == RESERVATION_STATUS_NONE || res_->line_count == 0 ||
        res_->line_count > RESERVATION_MAX_LINES)
        return shop_error_set(SHOP_EINVALID, "a reservation is saved with a status and 1-%d lines",
                              RESERVATION_MAX_LINES);
    lines = reservation_lines_encode(res_);
    uuid_format(id, res_->order_id);
    snprintf(version, sizeof version, "%" PRId64, expected_version);
    const char *params[] = {id, reservation_status_name(res_->status), lines, version};

    int st = expected_version == 0 ? ST_INSERT : ST_UPDATE;
    PGresult *res = PQexecPrepared(r->conn, statements[st].name, st == ST_INSERT ? 3 : 4, params,
                                   NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_result_error(r->conn, res, "saving a reservation");
        if (rc == SHOP_ECONFLICT)
            rc =
                shop_error_set(SHOP_ECONFLICT, "order %s was reserved by another writer first", id);
    } else if (strcmp(PQcmdTuples(res), "1") != 0) {
        rc = shop_error_set(SHOP_ECONFLICT,
                            "the reservation for order %s is no longer at version %" PRId64, id,
                            expected_version);
    }
    PQclear(res);
    free(lines);
    return rc;
}

static void pg_free(struct reservation_repository *self)
{
    free(self);
}

int reservation_repository_pg_new(struct reservation_repository **out, PGconn *conn)
{
    *out = NULL;
    int rc = inventory_pg_prepare(conn, statements, ST_COUNT, "the reservation repository");
    if (rc < 0)
        return rc;
    struct reservation_repository_pg *r = shop_xcalloc(1, sizeof *r);
    r->base =
        (struct reservation_repository){RESERVATION_REPOSITORY_VERSION, pg_load, pg_save, pg_free};
    r->conn = conn;
    *out = &r->base;
    return 0;
}
