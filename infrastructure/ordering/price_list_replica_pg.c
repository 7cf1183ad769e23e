/*
 * infrastructure/ordering/price_list_replica_pg.c — the price list on ordering.prices
 * (see price_list_replica_pg.h).
 *
 * One parameterised SELECT by SKU.  A row is checked as the domain checks input (a
 * currency it knows, a price above zero): a row the rules would refuse is a fault
 * (SHOP_EINTERNAL naming the column), never a price.  The rows are written by
 * price_list_subscription.c only.
 * Read next: price_list_subscription.c
 */
#include "infrastructure/ordering/price_list_replica_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdlib.h>

struct price_list_replica_pg {
    struct price_list base; /* first: the port */
    PGconn *conn;           /* borrowed */
};

static int bad_row(const PGresult *res, int col)
{
    char q[TEXT_QUOTE_SIZE];
    return shop_error_set(SHOP_EINTERNAL, "unexpected value \"%s\" in ordering.prices.%s",
                          text_quote(q, PQgetvalue(res, 0, col)), PQfname(res, col));
}

int price_list_replica_pg_lookup(struct price_list *list, money *out_price,
                                 int64_t *out_catalog_version, const sku *product)
{
    struct price_list_replica_pg *r = (struct price_list_replica_pg *)list;
    const char *values[1] = {product->code};
    const currency *cur;
    int64_t minor;
    int rc = 0;

    PGresult *res = PQexecParams(r->conn,
                                 "SELECT price_minor, currency, catalog_version"
                                 "  FROM ordering.prices WHERE sku = $1",
                                 1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_result_error(r->conn, res, "reading Ordering's price list");
    else if (PQntuples(res) == 0)
        rc = shop_error_set(SHOP_ENOTFOUND, "unknown SKU %s", product->code);
    else if (text_parse_int64(&minor, PQgetvalue(res, 0, 0)) < 0 || minor <= 0)
        rc = bad_row(res, 0);
    else if (currency_find(&cur, PQgetvalue(res, 0, 1)) < 0)
        rc = bad_row(res, 1);
    else if (text_parse_int64(out_catalog_version, PQgetvalue(res, 0, 2)) < 0 ||
             *out_catalog_version < 1)
        rc = bad_row(res, 2);
    else
        *out_price = money_make(cur, minor);
    PQclear(res);
    return rc;
}

static int replica_price_of(struct price_list *self, money *out, const sku *product)
{
    int64_t version;
    return price_list_replica_pg_lookup(self, out, &version, product);
}

static void replica_free(struct price_list *self)
{
    free(self);
}

int price_list_replica_pg_new(struct price_list **out, PGconn *conn)
{
    struct price_list_replica_pg *r = shop_xcalloc(1, sizeof *r);
    r->base.version = PRICE_LIST_VERSION;
    r->base.price_of = replica_price_of;
    r->base.free = replica_free;
    r->conn = conn;
    *out = &r->base;
    return 0;
}
