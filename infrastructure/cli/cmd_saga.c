/*
 * infrastructure/cli/cmd_saga.c — `shop saga list [--state STATE]` and `shop saga show
 * ORDER_ID`: where each order's fulfilment saga is (ordering.sagas, migration 0008).
 *
 * An operations command: it reads PostgreSQL directly (like `shop dlq`), connected with
 * --db / SHOP_DATABASE_URL as the operator, through the saga-store port and its
 * PostgreSQL adapter — the same code that saves the sagas reads them here.
 *
 *   list  every saga, newest first (one state with --state): order, state, how long
 *         until its deadline, reason.  A stuck saga (docs/patterns/saga.md) shows here
 *         with the compensation that got no reply.
 *   show  one saga: its steps with their times, the current deadline, the reason.
 * An ORDER_ID that is not a UUID, or a STATE that is not a saga state, is exit 2; an
 * order without a saga is exit 1 ("no saga for order X").  --json shapes: docs/cli.md.
 * Read next: domain/ordering/fulfilment.h (the states), docs/patterns/saga.md
 */
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/ordering/saga_store_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "in 12s", "3s overdue", "-" (no deadline): for people. */
static const char *deadline_in(char *out, size_t size, int64_t deadline_us, int64_t now)
{
    if (deadline_us == 0)
        snprintf(out, size, "-");
    else if (deadline_us >= now)
        snprintf(out, size, "in %llds", (long long)((deadline_us - now + 999999) / 1000000));
    else
        snprintf(out, size, "%llds overdue", (long long)((now - deadline_us) / 1000000));
    return out;
}

/* A time as RFC 3339, or JSON null for none. */
static void add_time(cJSON *o, const char *name, int64_t us)
{
    char when[CLI_TIME_SIZE];
    if (us == 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddStringToObject(o, name, cli_format_time(when, us));
}

static void add_order_id(cJSON *o, order_id id)
{
    char text[UUID_STRING_SIZE];
    cJSON_AddStringToObject(o, "order_id", uuid_format(text, id.uuid));
}

/* The list of states, for the usage error. */
static const char *state_names(char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int s = SAGA_RESERVING_STOCK; s <= SAGA_STUCK; s++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
                                s == SAGA_RESERVING_STOCK ? "" : ", ",
                                saga_state_name((enum saga_state)s));
    return out;
}

/* Connects and makes the store; an exit status on failure. */
static int open_store(struct cli *cli, PGconn **conn, struct saga_store **store)
{
    int status = cli_connect(cli, conn);
    if (status != 0)
        return status;
    int rc = saga_store_pg_new(store, *conn);
    return rc < 0 ? cli_fail(cli, rc) : 0;
}

/* ------------------------------------------------------------------ list */

static void on_list_option(void *ctx, int opt, const char *arg)
{
    if (opt == 's')
        *(const char **)ctx = arg;
}

int cmd_saga_list(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"state", required_argument, NULL, 's'}, {0}};
    const char *state_text = NULL;
    int status = cli_parse(cli, cli_find_command("saga list"), argc, argv, own, on_list_option,
                           &state_text, 0, NULL);
    if (status >= 0)
        return status;
    enum saga_state state = SAGA_NONE;
    if (state_text && (state = saga_state_from_name(state_text)) == SAGA_NONE) {
        char q[TEXT_QUOTE_SIZE], names[256];
        return cli_usage_error(cli, "--state '%s': expected one of %s", text_quote(q, state_text),
                               state_names(names, sizeof names));
    }

    PGconn *conn = NULL;
    struct saga_store *store = NULL;
    struct saga_summary *list = NULL;
    size_t n = 0;
    if ((status = open_store(cli, &conn, &store)) != 0)
        goto done;
    int rc = saga_store_list(store, &list, &n, state);
    if (rc < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }

    int64_t now = now_us();
    if (cli->json) {
        cJSON *doc = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            add_order_id(o, list[i].order);
            cJSON_AddStringToObject(o, "state", saga_state_name(list[i].state));
            add_time(o, "deadline", list[i].deadline_us);
            cJSON_AddStringToObject(o, "reason", list[i].reason);
            add_time(o, "updated_at", list[i].updated_at_us);
            cJSON_AddNumberToObject(o, "version", (double)list[i].version);
            cJSON_AddItemToArray(doc, o);
        }
        cli_print_json(doc);
        goto done;
    }
    if (n == 0) {
        printf(state_text ? "No sagas in state %s.\n" : "No sagas.\n", state_text);
        goto done;
    }
    printf("%-36s  %-19s  %-13s  %s\n", "ORDER", "STATE", "DEADLINE", "REASON");
    for (size_t i = 0; i < n; i++) {
        char id[UUID_STRING_SIZE], in[40];
        printf("%-36s  %-19s  %-13s  %s\n", uuid_format(id, list[i].order.uuid),
               saga_state_name(list[i].state), deadline_in(in, sizeof in, list[i].deadline_us, now),
               list[i].reason[0] ? list[i].reason : "-");
    }
done:
    free(list);
    saga_store_free(store);
    PQfinish(conn);
    return status;
}

/* ------------------------------------------------------------------ show */

int cmd_saga_show(struct cli *cli, int argc, char **argv)
{
    int first;
    int status =
        cli_parse(cli, cli_find_command("saga show"), argc, argv, NULL, NULL, NULL, 1, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "ORDER_ID is missing");
    order_id id;
    if (order_id_parse(&id, argv[first]) < 0) {
        char q[TEXT_QUOTE_SIZE];
        return cli_usage_error(cli, "ORDER_ID '%s': expected an order id (a UUID)",
                               text_quote(q, argv[first]));
    }

    PGconn *conn = NULL;
    struct saga_store *store = NULL;
    fulfilment_saga *saga = shop_xcalloc(1, sizeof *saga);
    int64_t version = 0;
    char text[UUID_STRING_SIZE];
    if ((status = open_store(cli, &conn, &store)) != 0)
        goto done;
    int rc = saga_store_load(store, saga, &version, &id);
    if (rc < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    if (saga->state == SAGA_NONE) {
        status = cli_fail(cli, shop_error_set(SHOP_ENOTFOUND, "no saga for order %s",
                                              uuid_format(text, id.uuid)));
        goto done;
    }

    if (cli->json) {
        cJSON *o = cJSON_CreateObject();
        add_order_id(o, saga->order);
        cJSON_AddStringToObject(o, "state", saga_state_name(saga->state));
        cJSON *steps = cJSON_AddArrayToObject(o, "steps");
        for (size_t i = 0; i < saga->step_count; i++) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "name", saga->steps[i].name);
            add_time(s, "at", saga->steps[i].at_us);
            cJSON_AddItemToArray(steps, s);
        }
        add_time(o, "deadline", saga->deadline_us);
        cJSON_AddStringToObject(o, "reason", saga->reason);
        cJSON_AddNumberToObject(o, "version", (double)version);
        cli_print_json(o);
        goto done;
    }
    char when[CLI_TIME_SIZE], in[40];
    printf("Order     %s\n", uuid_format(text, saga->order.uuid));
    printf("State     %s (version %" PRId64 ")\n", saga_state_name(saga->state), version);
    if (saga->deadline_us)
        printf("Deadline  %s (%s)\n", cli_format_time(when, saga->deadline_us),
               deadline_in(in, sizeof in, saga->deadline_us, now_us()));
    else
        printf("Deadline  -\n");
    printf("Reason    %s\n", saga->reason[0] ? saga->reason : "-");
    printf("Steps\n");
    for (size_t i = 0; i < saga->step_count; i++)
        printf("  %s  %s\n", cli_format_time(when, saga->steps[i].at_us), saga->steps[i].name);
done:
    free(saga);
    saga_store_free(store);
    PQfinish(conn);
    return status;
}
