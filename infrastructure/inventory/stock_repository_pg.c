/*
 * infrastructure/inventory/stock_repository_pg.c — the stock repository on PostgreSQL
 * (a libpq adapter of application/inventory/stock_repository.h).
 *
 * Pattern: optimistic locking on a state row.  load() reads (on_hand, reserved, version);
 * save() writes
 *     UPDATE inventory.stock_items SET on_hand = $2, reserved = $3, version = version + 1
 *      WHERE sku = $1 AND version = $4
 * and "0 rows" is SHOP_ECONFLICT.  Under READ COMMITTED a second writer's UPDATE waits
 * for the first writer's transaction, then re-reads the row, finds the version moved on,
 * updates nothing: never a lost update, and no lock held while the domain decides.
 * The statements are prepared once per connection, by stock_repository_pg_new.
 * Read next: reservation_repository_pg.c, unit_of_work_pg.c
 */
#include "infrastructure/inventory/inventory_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/postgres/sqlstate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_LOAD, ST_LIST, ST_INSERT, ST_UPDATE, ST_COUNT };

static const struct inventory_pg_statement statements[ST_COUNT] = {
    [ST_LOAD] = {"inventory_stock_load", "SELECT sku, on_hand, reserved, version"
                                         "  FROM inventory.stock_items WHERE sku = $1"},
    [ST_LIST] = {"inventory_stock_list", "SELECT sku, on_hand, reserved FROM inventory.stock_items"
                                         " ORDER BY sku COLLATE \"C\""},
    [ST_INSERT] = {"inventory_stock_insert",
                   "INSERT INTO inventory.stock_items (sku, on_hand, reserved, version)"
                   " VALUES ($1, $2::bigint, $3::bigint, 1)"},
    [ST_UPDATE] = {"inventory_stock_update",
                   "UPDATE inventory.stock_items"
                   "   SET on_hand = $2::bigint, reserved = $3::bigint, version = version + 1"
                   " WHERE sku = $1 AND version = $4::bigint"},
};

struct stock_repository_pg {
    struct stock_repository base; /* first */
    PGconn *conn;
};

static int64_t column_int64(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int read_item(stock_item *out, const PGresult *res, int row)
{
    sku s;
    if (sku_parse(&s, PQgetvalue(res, row, 0)) < 0)
        return shop_error_set(SHOP_EINTERNAL, "inventory.stock_items holds a bad SKU: %s",
                              shop_error_message());
    stock_item_init(out, &s);
    out->on_hand = column_int64(res, row, 1);
    out->reserved = column_int64(res, row, 2);
    return 0;
}

static int pg_load(struct stock_repository *self, stock_item *out, int64_t *out_version,
                   const sku *s)
{
    struct stock_repository_pg *r = (struct stock_repository_pg *)self;
    const char *params[] = {s->code};
    int rc = 0;
    stock_item_init(out, s);
    *out_version = 0;
    PGresult *res = PQexecPrepared(r->conn, statements[ST_LOAD].name, 1, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_result_error(r->conn, res, "loading stock");
    else if (PQntuples(res) == 1 && (rc = read_item(out, res, 0)) == 0)
        *out_version = column_int64(res, 0, 3);
    PQclear(res);
    return rc;
}

static int pg_save(struct stock_repository *self, const stock_item *item, int64_t expected_version)
{
    struct stock_repository_pg *r = (struct stock_repository_pg *)self;
    char on_hand[24], reserved[24], version[24];
    const char *params[] = {item->sku.code, on_hand, reserved, version};
    int rc = 0;
    snprintf(on_hand, sizeof on_hand, "%" PRId64, item->on_hand);
    snprintf(reserved, sizeof reserved, "%" PRId64, item->reserved);
    snprintf(version, sizeof version, "%" PRId64, expected_version);

    int st = expected_version == 0 ? ST_INSERT : ST_UPDATE;
    PGresult *res = PQexecPrepared(r->conn, statements[st].name, st == ST_INSERT ? 3 : 4, params,
                                   NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_result_error(r->conn, res, "saving stock");
        if (rc == SHOP_ECONFLICT) /* the INSERT of a SKU another writer inserted first */
            rc = shop_error_set(SHOP_ECONFLICT,
                                "the stock of SKU %s was recorded by another "
                                "writer first",
                                item->sku.code);
    } else if (strcmp(PQcmdTuples(res), "1") != 0) {
        rc = shop_error_set(SHOP_ECONFLICT, "the stock of SKU %s is no longer at version %" PRId64,
                            item->sku.code, expected_version);
    }
    PQclear(res);
    return rc;
}

static int pg_list(struct stock_repository *self, stock_item **out, size_t *out_count)
{
    struct stock_repository_pg *r = (struct stock_repository_pg *)self;
    int rc = 0;
    *out = NULL;
    *out_count = 0;
    PGresult *res = PQexecPrepared(r->conn, statements[ST_LIST].name, 0, NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(r->conn, res, "listing stock");
        goto done;
    }
    int n = PQntuples(res);
    *out = shop_xreallocarray(NULL, (size_t)n + 1, sizeof **out);
    for (int i = 0; i < n; i++) {
        if ((rc = read_item(&(*out)[i], res, i)) < 0) {
            free(*out);
            *out = NULL;
            goto done;
        }
    }
    *out_count = (size_t)n;
done:
    PQclear(res);
    return rc;
}

static void pg_free(struct stock_repository *self)
{
    free(self);
}

int stock_repository_pg_new(struct stock_repository **out, PGconn *conn)
{
    *out = NULL;
    int rc = inventory_pg_prepare(conn, statements, ST_COUNT, "the stock repository");
    if (rc < 0)
        return rc;
    struct stock_repository_pg *r = shop_xcalloc(1, sizeof *r);
    r->base =
        (struct stock_repository){STOCK_REPOSITORY_VERSION, pg_load, pg_save, pg_list, pg_free};
    r->conn = conn;
    *out = &r->base;
    return 0;
}
