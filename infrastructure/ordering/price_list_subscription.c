/*
 * infrastructure/ordering/price_list_subscription.c — Catalog's price events into
 * ordering.prices (see price_list_subscription.h).
 *
 * Two steps per message:
 *   read   the payload, strictly (one JSON object and nothing after it), each field
 *          through the shared kernel's parsers (sku_parse, money_parse with no default
 *          currency), so that what reaches the table is a price the domain accepts;
 *   write  one upsert whose WHERE keeps the newest version:
 *              INSERT ... ON CONFLICT (sku) DO UPDATE SET ...
 *              WHERE ordering.prices.catalog_version < EXCLUDED.catalog_version
 *          which is correct under concurrency too: two consumers writing one SKU are
 *          serialised by the row lock, and the second re-checks the WHERE.
 * Read next: infrastructure/messaging/consumer.h (what runs it), price_list_replica_pg.c
 */
#include "infrastructure/ordering/price_list_subscription.h"

#include "domain/shared/error.h"
#include "domain/shared/money.h"
#include "domain/shared/sku.h"
#include "infrastructure/messaging/published_read.h"
#include "infrastructure/postgres/sqlstate.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PRODUCT_ADDED "catalog.ProductAdded"
#define PRICE_CHANGED "catalog.PriceChanged"

/* The largest catalog_version a JSON number carries exactly. */
#define VERSION_MAX 9007199254740992.0 /* 2^53 */

struct price_update {
    sku sku;
    money price;
    int64_t catalog_version;
};


/* The payload of m as the schema of its type says, into *out. */
static int read_payload(struct price_update *out, const struct message *m)
{
    bool added = strcmp(m->type, PRODUCT_ADDED) == 0;
    const char *text;
    char why[SHOP_ERROR_MESSAGE_MAX];
    int rc;

    if (!added && strcmp(m->type, PRICE_CHANGED) != 0)
        return shop_error_set(SHOP_EINVALID, "%s is not a message of Catalog's prices", m->type);
    if (m->schema_version != 1)
        return shop_error_set(SHOP_EINVALID, "%s version %d is not known here (only 1)", m->type,
                              m->schema_version);
    cJSON *root =
        m->payload ? cJSON_ParseWithLengthOpts(m->payload, strlen(m->payload) + 1, NULL, 1) : NULL;
    if (!cJSON_IsObject(root)) {
        rc = shop_error_set(SHOP_EINVALID, "%s: the payload is not one JSON object", m->type);
        goto done;
    }
    if ((rc = published_get_string(&text, root, "sku", m)) < 0)
        goto done;
    if (sku_parse(&out->sku, text) < 0 || strcmp(out->sku.code, text) != 0) {
        rc = published_refuse(m, "sku", "must be 1-32 characters of A-Z, 0-9 and '-'");
        goto done;
    }
    if ((rc = published_get_string(&text, root, "price", m)) < 0)
        goto done;
    if (money_parse(&out->price, text, NULL) < 0) {
        snprintf(why, sizeof why, "%s", shop_error_message());
        rc = published_refuse(m, "price", why);
        goto done;
    }
    if (out->price.minor <= 0) {
        rc = published_refuse(m, "price", "must be above 0");
        goto done;
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "catalog_version");
    double v = cJSON_IsNumber(version) ? version->valuedouble : 0;
    if (!version || !cJSON_IsNumber(version) || !(v >= 1) || v > VERSION_MAX ||
        (double)(int64_t)v != v) {
        rc = published_refuse(m, "catalog_version", version ? "must be an integer of 1 or more" : "missing");
        goto done;
    }
    out->catalog_version = (int64_t)v;
    if (added && out->catalog_version != 1) {
        rc = published_refuse(m, "catalog_version", "a product is added at version 1");
        goto done;
    }
    if (!added && out->catalog_version < 2) {
        rc = published_refuse(m, "catalog_version", "a price change comes after the add, at 2 or more");
        goto done;
    }
    if (added && (rc = published_get_string(&text, root, "name", m)) < 0)
        goto done;
    rc = published_get_time(root, added ? "added_at" : "changed_at", m);
done:
    cJSON_Delete(root);
    return rc;
}

int price_list_subscription_handle(PGconn *conn, const struct message *m)
{
    struct price_update u;
    char minor[24], version[24], message_id[UUID_STRING_SIZE];
    int rc = read_payload(&u, m);
    if (rc < 0)
        return rc;

    snprintf(minor, sizeof minor, "%" PRId64, u.price.minor);
    snprintf(version, sizeof version, "%" PRId64, u.catalog_version);
    uuid_format(message_id, m->meta.message_id);
    const char *values[5] = {u.sku.code, minor, u.price.currency->code, version, message_id};
    PGresult *res = PQexecParams(
        conn,
        "INSERT INTO ordering.prices (sku, price_minor, currency, catalog_version, message_id)"
        " VALUES ($1, $2::bigint, $3, $4::bigint, $5::uuid)"
        " ON CONFLICT (sku) DO UPDATE"
        "   SET price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency,"
        "       catalog_version = EXCLUDED.catalog_version, message_id = EXCLUDED.message_id,"
        "       updated_at = statement_timestamp()"
        " WHERE ordering.prices.catalog_version < EXCLUDED.catalog_version",
        5, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_result_error(conn, res, "updating Ordering's price list");
    PQclear(res);
    return rc;
}

static int handle(void *ctx, const struct message *m)
{
    return price_list_subscription_handle(ctx, m);
}

static int open_on(void **ctx, PGconn *conn, void *arg)
{
    (void)arg;
    *ctx = conn;
    return 0;
}

static void close_nothing(void *ctx)
{
    (void)ctx; /* the connection is the consumer's */
}

const struct subscription price_list_subscription = {
    .name = PRICE_LIST_SUBSCRIBER,
    .inbox_schema = "ordering",
    .types = {PRODUCT_ADDED, PRICE_CHANGED, NULL},
    .handle = handle,
    .open = open_on,
    .close = close_nothing,
};
