/*
 * tests/contract/product_repository_pg_fixture.c — runs the product-repository contract
 * against the PostgreSQL adapter, each test in a fresh, migrated database, connected as
 * the Catalog context's role (SET ROLE shop_catalog, as the service does), so the suite
 * also proves that the role's grants are enough.  The other writer has a connection of
 * its own.  The outbox is read from catalog.outbox, as Catalog's role.
 */
#include "infrastructure/catalog/product_repository_pg.h"
#include "tests/contract/product_repository_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db, *other_conn;
static struct product_repository *other;

static struct product_repository *open_as_catalog(PGconn *conn)
{
    struct product_repository *r;
    test_db_exec(conn, "SET ROLE shop_catalog");
    cr_assert_eq(product_repository_pg_new(&r, conn), 0, "%s", shop_error_message());
    return r;
}

struct product_repository *contract_products_new(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    return open_as_catalog(db);
}

struct product_repository *contract_products_other_writer(void)
{
    if (!other) {
        other_conn = test_db_connect(db_name, NULL);
        other = open_as_catalog(other_conn);
    }
    return other;
}

void contract_products_free(struct product_repository *repository)
{
    product_repository_free(repository);
    product_repository_free(other);
    other = NULL;
    if (other_conn)
        PQfinish(other_conn);
    other_conn = NULL;
    test_db_drop(db, db_name);
    db = NULL;
}

void contract_products_outbox(struct outgoing_message **out, size_t *count)
{
    PGresult *res = PQexec(db, "SELECT message_id, type, schema_version, stream, payload::text,"
                               "       correlation_id, causation_id, coalesce(traceparent, '')"
                               "  FROM catalog.outbox ORDER BY id");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    *count = (size_t)PQntuples(res);
    *out = calloc(*count ? *count : 1, sizeof **out);
    cr_assert(*out);
    for (size_t i = 0; i < *count; i++) {
        struct outgoing_message *m = &(*out)[i];
        int row = (int)i;
        cr_assert_eq(uuid_parse(&m->meta.message_id, PQgetvalue(res, row, 0)), 0);
        snprintf(m->type, sizeof m->type, "%s", PQgetvalue(res, row, 1));
        m->schema_version = atoi(PQgetvalue(res, row, 2));
        snprintf(m->stream, sizeof m->stream, "%s", PQgetvalue(res, row, 3));
        m->payload = strdup(PQgetvalue(res, row, 4));
        if (!PQgetisnull(res, row, 5))
            cr_assert_eq(uuid_parse(&m->meta.correlation_id, PQgetvalue(res, row, 5)), 0);
        if (!PQgetisnull(res, row, 6))
            cr_assert_eq(uuid_parse(&m->meta.causation_id, PQgetvalue(res, row, 6)), 0);
        snprintf(m->meta.traceparent, sizeof m->meta.traceparent, "%s", PQgetvalue(res, row, 7));
    }
    PQclear(res);
}

void contract_outbox_free(struct outgoing_message *messages, size_t count)
{
    for (size_t i = 0; i < count; i++)
        outgoing_message_dispose(&messages[i]);
    free(messages);
}
