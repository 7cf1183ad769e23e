/*
 * tests/contract/saga_store_pg_fixture.c — the saga-store contract on PostgreSQL: a fresh
 * migrated database per test, used as the Ordering service uses it, as the role
 * shop_ordering (so the grants are part of what is tested).  The queued commands are
 * ordering.outbox's rows, in id order; the attempt is found from the message id.
 */
#include "domain/shared/error.h"
#include "infrastructure/ordering/saga_store_pg.h"
#include "tests/contract/saga_store_contract.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

struct saga_store *contract_sagas_new(void)
{
    struct saga_store *store;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_ordering");
    cr_assert_eq(saga_store_pg_new(&store, db), 0, "%s", shop_error_message());
    return store;
}

void contract_sagas_free(struct saga_store *sagas)
{
    saga_store_free(sagas);
    test_db_exec(db, "RESET ROLE");
    test_db_drop(db, db_name);
    db = NULL;
}

static int attempt_of(order_id id, enum saga_command_type type, shop_uuid message_id)
{
    for (int n = 1; n <= 100; n++)
        if (uuid_equal(saga_command_message_id(id, type, n), message_id))
            return n;
    return 0;
}

static enum saga_command_type command_type(const char *type)
{
    for (int t = SAGA_CMD_RESERVE_STOCK; t <= SAGA_CMD_CANCEL_SHIPMENT; t++) {
        char name[MESSAGE_TYPE_MAX + 1];
        snprintf(name, sizeof name, "ordering.%s", saga_command_name((enum saga_command_type)t));
        if (strcmp(name, type) == 0)
            return (enum saga_command_type)t;
    }
    return 0;
}

void contract_sagas_queued(struct contract_saga_command *out, size_t max, size_t *out_count)
{
    PGresult *res = PQexec(db, "SELECT type, stream, message_id, coalesce(correlation_id::text,"
                               " ''), coalesce(causation_id::text, ''), coalesce(traceparent,"
                               " ''), payload->>'order_id'"
                               " FROM ordering.outbox ORDER BY id");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    size_t n = (size_t)PQntuples(res);
    for (size_t i = 0; i < n && i < max; i++) {
        struct contract_saga_command *c = &out[i];
        int row = (int)i;
        memset(c, 0, sizeof *c);
        snprintf(c->type, sizeof c->type, "%s", PQgetvalue(res, row, 0));
        snprintf(c->stream, sizeof c->stream, "%s", PQgetvalue(res, row, 1));
        cr_assert_eq(uuid_parse(&c->message_id, PQgetvalue(res, row, 2)), 0);
        if (*PQgetvalue(res, row, 3))
            cr_assert_eq(uuid_parse(&c->correlation_id, PQgetvalue(res, row, 3)), 0);
        if (*PQgetvalue(res, row, 4))
            cr_assert_eq(uuid_parse(&c->causation_id, PQgetvalue(res, row, 4)), 0);
        snprintf(c->traceparent, sizeof c->traceparent, "%s", PQgetvalue(res, row, 5));
        order_id named;
        cr_assert_eq(order_id_parse(&named, PQgetvalue(res, row, 6)), 0,
                     "the command's payload names its order");
        c->attempt = attempt_of(named, command_type(c->type), c->message_id);
    }
    *out_count = n;
    PQclear(res);
}
