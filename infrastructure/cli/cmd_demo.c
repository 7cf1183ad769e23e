/*
 * infrastructure/cli/cmd_demo.c — `shop demo`, the guided tour.
 *
 * It prepares the database exactly as `shop db migrate` does, shows the contexts confined
 * to their own data and the shared kernel's rules, then runs the shop (the services that
 * are up, or a `shop up` of its own, stopped at the end) and walks through the four
 * outcomes of an order (infrastructure/cli/demo_fulfilment.c), with the file to read for
 * each pattern.  Every step asks the real database or the real services.
 * Read next: README.md (how to run it), docs/patterns/.
 */
#include "domain/shared/error.h"
#include "domain/shared/money.h"
#include "domain/shared/quantity.h"
#include "domain/shared/sku.h"
#include "domain/shared/uuid.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cmd_db.h"
#include "infrastructure/cli/demo.h"
#include "infrastructure/postgres/sqlstate.h"
#include "infrastructure/postgres/system_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void demo_say(const struct cli *cli, const char *fmt, ...)
{
    if (cli->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* What the ownership check asks of the payments schema, as another context's role. */
static const char read_payments_sql[] = "SELECT count(*) FROM payments.any_table";

/*
 * Runs read_payments_sql as `role`, inside a transaction that is rolled back.  Returns
 * 1 if PostgreSQL refused it (42501), 0 if the schema was open to the role, <0 on
 * other failure; the server's words go into message.
 */
static int try_reading_payments_as(PGconn *conn, const char *role, char *message, size_t size)
{
    int rc = pg_exec_command(conn, "BEGIN", "starting the ownership check");
    if (rc < 0)
        return rc;
    const char *params[1] = {role};
    PGresult *res =
        PQexecParams(conn, "SELECT set_config('role', $1, true)", 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, "switching role");
        PQclear(res);
        PQclear(PQexec(conn, "ROLLBACK"));
        return rc;
    }
    PQclear(res);
    res = PQexec(conn, read_payments_sql);
    const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    snprintf(message, size, "%s", primary ? primary : "allowed");
    rc = sqlstate && strcmp(sqlstate, "42501") == 0 ? 1 : 0;
    PQclear(res);
    PQclear(PQexec(conn, "ROLLBACK"));
    return rc;
}

/* One line of the kernel tour: what was asked and what the domain answered. */
static void kernel_line(const struct cli *cli, cJSON *list, const char *asked, int rc,
                        const char *answer)
{
    char result[SHOP_ERROR_MESSAGE_MAX + 16];
    if (rc < 0)
        snprintf(result, sizeof result, "refused: %s", shop_error_message());
    else
        snprintf(result, sizeof result, "%s", answer);
    demo_say(cli, "   %-26s -> %s\n", asked, result);
    if (list) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "asked", asked);
        cJSON_AddBoolToObject(o, "refused", rc < 0);
        cJSON_AddStringToObject(o, "answer", rc < 0 ? shop_error_message() : answer);
        cJSON_AddItemToArray(list, o);
    }
}

/* The shared kernel at work: real value objects, real refusals. */
static void tour_kernel(const struct cli *cli, cJSON *doc)
{
    cJSON *list = doc ? cJSON_AddArrayToObject(doc, "shared_kernel") : NULL;
    char text[MONEY_FORMAT_MAX];
    money price, a, b, sum;
    int rc;

    demo_say(cli, "4. The shared kernel: value objects check their rules when they are made\n");

    rc = money_parse(&price, "12.50", "EUR");
    if (rc == 0)
        rc = money_multiply(&sum, price, 3);
    if (rc == 0)
        money_format(text, sizeof text, sum);
    kernel_line(cli, list, "12.50 EUR x 3", rc, text);

    rc = money_parse(&a, "0.10 EUR", NULL);
    if (rc == 0)
        rc = money_parse(&b, "0.20 EUR", NULL);
    if (rc == 0)
        rc = money_add(&sum, a, b);
    if (rc == 0)
        money_format(text, sizeof text, sum);
    kernel_line(cli, list, "0.10 EUR + 0.20 EUR", rc, text);

    kernel_line(cli, list, "amount \"12.505 EUR\"", money_parse(&a, "12.505 EUR", NULL), "");

    rc = money_parse(&a, "1.00 USD", NULL);
    if (rc == 0)
        rc = money_parse(&b, "2.00 EUR", NULL);
    if (rc == 0)
        rc = money_add(&sum, a, b);
    kernel_line(cli, list, "1.00 USD + 2.00 EUR", rc, "");

    sku code;
    rc = sku_parse(&code, "abc-1");
    kernel_line(cli, list, "SKU \"abc-1\"", rc, rc == 0 ? code.code : "");

    quantity q;
    kernel_line(cli, list, "quantity \"1000\"", quantity_make(&q, 1000), "");

    shop_uuid id;
    char id_text[UUID_STRING_SIZE] = "";
    rc = uuid_new_v7(&id);
    if (rc == 0)
        uuid_format(id_text, id);
    kernel_line(cli, list, "a new order id (UUID v7)", rc, id_text);

    demo_say(cli, "   Read: domain/shared/money.c, domain/shared/sku.c, tests/unit/money_test.c\n\n");
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
    int status = cli_parse(cli, cli_find_command("demo"), argc, argv, NULL, NULL, NULL, 0, NULL);
    if (status >= 0)
        return status;

    struct migration_set shipped = {0};
    PGconn *conn = NULL;
    cJSON *doc = cli->json ? cJSON_CreateObject() : NULL;
    cJSON *migration = NULL;
    struct system_status st;
    struct demo_system sys = {.up_pid = -1};
    int rc;

    if ((status = cli_load_migrations(cli, &shipped)) != 0 ||
        (status = cli_connect(cli, &conn)) != 0)
        goto done;

    demo_say(cli, "ddd-shop demo: order fulfilment built with domain-driven design, in C\n\n");
    demo_say(cli, "1. Preparing the database (what `shop db migrate` does)\n");
    if ((status = cli_db_migrate(cli, conn, &shipped, false, "   ", doc ? &migration : NULL)) != 0)
        goto done;
    if (doc)
        cJSON_AddItemToObject(doc, "migration", migration);
    demo_say(cli, "   Read: application/operations/migrate.c, "
             "infrastructure/postgres/migration_store_pg.c\n\n");

    if ((rc = system_status_read(&st, conn)) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    demo_say(cli, "2. Bounded contexts: each owns one schema and logs in as its own role\n");
    cJSON *contexts = doc ? cJSON_AddArrayToObject(doc, "contexts") : NULL;
    bool all_confined = true;
    const char *unconfined = NULL; /* the first context that is not, for the refusal */
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        const struct context_status *c = &st.contexts[i];
        bool confined =
            c->schema_exists && c->role_exists && c->role_uses_own && c->foreign_schemas == 0;
        all_confined = all_confined && confined;
        if (!confined && !unconfined)
            unconfined = c->name;
        demo_say(cli, "   %-14s schema %-14s role %-19s %s\n", c->name, c->name, c->role,
            confined ? "uses its own schema and no other" : "NOT CONFINED");
        if (contexts) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", c->name);
            cJSON_AddStringToObject(o, "role", c->role);
            cJSON_AddBoolToObject(o, "confined", confined);
            cJSON_AddItemToArray(contexts, o);
        }
    }
    demo_say(cli, "   Read: infrastructure/postgres/migrations/0001_contexts_schemas_and_roles.sql\n\n");

    demo_say(cli, "3. Data ownership is enforced by PostgreSQL, not by convention\n");
    char message[256];
    rc = try_reading_payments_as(conn, "shop_ordering", message, sizeof message);
    if (rc < 0) {
        demo_say(cli, "   (skipped: %s)\n\n", shop_error_message());
    } else {
        demo_say(cli, "   as shop_ordering: %s\n", read_payments_sql);
        demo_say(cli, "   -> %s: %s\n", rc == 1 ? "refused" : "ALLOWED", message);
        demo_say(cli, "   Read: docs/adr/0003-migrations-schemas-and-roles.md, "
                 "tests/integration/role_isolation_test.c\n\n");
        if (doc) {
            cJSON *o = cJSON_AddObjectToObject(doc, "ownership_check");
            cJSON_AddStringToObject(o, "role", "shop_ordering");
            cJSON_AddStringToObject(o, "schema", "payments");
            cJSON_AddBoolToObject(o, "refused", rc == 1);
            cJSON_AddStringToObject(o, "message", message);
        }
        all_confined = all_confined && rc == 1;
        if (rc != 1 && !unconfined)
            unconfined = "ordering";
    }

    tour_kernel(cli, doc);

    /* Steps 5 to 9 run the shop; on a database whose contexts are not confined they
     * would only hide what is wrong, so the demo refuses before them. */
    bool fulfilled = false;
    if (all_confined) {
        if ((rc = demo_system_start(cli, &sys, doc)) < 0) {
            status = cli_fail(cli, rc);
            goto done;
        }
        rc = demo_fulfilment_step(cli, conn, doc, &fulfilled);
        demo_system_stop(cli, &sys);
        if (rc < 0) {
            status = cli_fail(cli, rc);
            goto done;
        }
    }

    bool consistent = all_confined && fulfilled;
    demo_say(cli, "The system's status: %s.\n",
             consistent      ? "every context is confined to its own data, and every order "
                               "ended as the shop promises"
             : !all_confined ? "SOME CONTEXT IS NOT CONFINED (see `shop db status`)"
                             : "SOME ORDER DID NOT END AS THE SHOP PROMISES (see above)");
    if (doc)
        cJSON_AddBoolToObject(doc, "consistent", consistent);
    status = CLI_EXIT_OK;
    if (!all_confined)
        status = cli_fail(cli, shop_error_set(SHOP_EREFUSED,
                                              "the %s context is not confined to its own schema; "
                                              "see 'shop db status'",
                                              unconfined));
    else if (!fulfilled)
        status = cli_fail(cli, shop_error_set(SHOP_EREFUSED,
                                              "an order of the demo did not end as the shop "
                                              "promises, or stock was left reserved"));
    /* With --json, the document is printed even then: it says what is wrong. */
    if (doc) {
        cli_print_json(doc);
        doc = NULL;
    }

done:
    cJSON_Delete(doc);
    if (conn)
        PQfinish(conn);
    migration_set_dispose(&shipped);
    return status;
}
