/*
 * infrastructure/cli/cmd_order.c — `shop order history ORDER_ID [--as-of VERSION|TIME]`.
 *
 * Event sourcing seen from the outside: an order is its stream of events.  This command
 * reads the stream from PostgreSQL through the event-store port, decodes each event with
 * Ordering's codec (upcasting old schema versions), and folds them with the aggregate's
 * own evolve function to show what the order was after each one.  With --as-of it stops
 * at a version or a time: the order as it was then.
 * The state shown is only as good as the stream: an event that does not decode, is of
 * another order, or a version missing between two events is reported, left out of the
 * state, and makes the command end with a line saying so and exit 1.
 * (An operations command: it reads the database directly, see docs/cli.md.)
 * Read next: application/eventstore/event_store.h, domain/ordering/order.c
 */
#include "domain/ordering/order.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/ordering/order_codec.h"
#include "infrastructure/postgres/event_store_pg.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct history_options {
    const char *as_of; /* NULL, a version or a time */
};

static void on_option(void *ctx, int opt, const char *arg)
{
    struct history_options *o = ctx;
    if (opt == 'a')
        o->as_of = arg;
}

/* --as-of: digits are a version, anything else a time. */
static int parse_as_of(struct es_stream_range *range, const char *text)
{
    *range = ES_WHOLE_STREAM;
    if (!text)
        return SHOP_OK;
    if (text[0] >= '0' && text[0] <= '9' && strspn(text, "0123456789") == strlen(text)) {
        int64_t v;
        char q[TEXT_QUOTE_SIZE];
        if (text_parse_int64(&v, text) < 0 || v < 1)
            return shop_error_set(SHOP_EINVALID, "--as-of %s: a version is 1 or more",
                                  text_quote(q, text));
        range->to_version = v;
        return SHOP_OK;
    }
    return cli_parse_time(&range->until_us, text);
}

/* One line about an event, in the domain's words. */
static void summarize(char *out, size_t size, const order_event *e)
{
    char total[MONEY_FORMAT_MAX];
    switch (e->type) {
    case ORDER_PLACED:
        money_format(total, sizeof total, e->as.placed.total);
        snprintf(out, size, "customer %s, %zu line%s, total %s", e->as.placed.customer.text,
                 e->as.placed.line_count, e->as.placed.line_count == 1 ? "" : "s", total);
        break;
    case ORDER_CANCELLED: snprintf(out, size, "reason: %s", e->as.cancelled.reason); break;
    default: out[0] = '\0'; break;
    }
}

/*
 * Decodes a stored event of order `id` that should be at version `expected`: false, with
 * the reason in shop_error_message(), when it cannot be folded into the order's state.
 */
static bool read_event(order_event *out, const struct es_event *stored, const order_id *id,
                       int64_t expected)
{
    char text[UUID_STRING_SIZE];
    if (stored->stream_version < expected) {
        shop_error_set(SHOP_EINTERNAL, "version %" PRId64 " after version %" PRId64,
                       stored->stream_version, expected - 1);
        return false;
    }
    if (order_event_decode(out, stored->type, stored->schema_version, stored->data) < 0)
        return false;
    if (!uuid_equal(out->order_id.uuid, id->uuid)) {
        shop_error_set(SHOP_EINTERNAL, "an event of order %s",
                       uuid_format(text, out->order_id.uuid));
        return false;
    }
    return true;
}

/* A line where versions first..last are missing from the stream. */
static void print_gap(int64_t first, int64_t last)
{
    if (first == last)
        printf("  v%-3" PRId64 " (missing)\n", first);
    else
        printf("  v%" PRId64 "-v%" PRId64 " (missing)\n", first, last);
}

/*
 * When the history has holes: one line on stderr saying what the state shown leaves out,
 * and exit 1.  Otherwise 0.
 */
static int report_incomplete(const struct cli *cli, size_t unreadable, int64_t missing)
{
    char what[SHOP_ERROR_MESSAGE_MAX], gap[SHOP_ERROR_MESSAGE_MAX];
    if (unreadable == 0 && missing == 0)
        return CLI_EXIT_OK;
    snprintf(what, sizeof what, "%zu event%s could not be read", unreadable,
             unreadable == 1 ? "" : "s");
    snprintf(gap, sizeof gap, "the history is incomplete: %" PRId64 " version%s missing", missing,
             missing == 1 ? " is" : "s are");
    shop_error_set(SHOP_EREFUSED, "%s%s%s; the state above leaves %s out", unreadable ? what : "",
                   unreadable && missing ? " and " : "", missing ? gap : "",
                   unreadable + (size_t)missing == 1 ? "it" : "them");
    return cli_fail(cli, SHOP_EREFUSED);
}

/* The event's data in the current schema (after upcasting), or as stored if unreadable. */
static cJSON *data_json(const struct es_event *stored, const order_event *decoded, bool readable)
{
    char *text = NULL;
    const char *type;
    int version;
    cJSON *data = NULL;
    if (readable && order_event_encode(&text, &type, &version, decoded) == SHOP_OK)
        data = cJSON_Parse(text);
    free(text);
    return data ? data : cJSON_Parse(stored->data);
}

int cmd_order_history(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"as-of", required_argument, NULL, 'a'}, {0}};
    struct history_options opts = {0};
    int first;
    int status = cli_parse(cli, cli_find_command("order history"), argc, argv, own, on_option,
                           &opts, 1, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "ORDER_ID is missing");

    order_id id;
    struct es_stream_range range;
    int rc;
    if ((rc = order_id_parse(&id, argv[first])) < 0 || (rc = parse_as_of(&range, opts.as_of)) < 0)
        return cli_usage_error(cli, "%s", shop_error_message());

    PGconn *conn = NULL;
    struct event_store *store = NULL;
    struct es_event_list events = {0};
    char stream[ORDER_STREAM_ID_SIZE], idtext[UUID_STRING_SIZE];
    cJSON *doc = NULL;
    order *state = shop_xmalloc(sizeof *state);

    order_init(state);
    order_stream_id(stream, id);
    uuid_format(idtext, id.uuid);
    if ((status = cli_connect(cli, &conn)) != 0)
        goto done;
    if ((rc = event_store_pg_new(&store, conn, "ordering")) < 0 ||
        (rc = es_read_stream(store, &events, stream, range)) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    if (events.count == 0) {
        shop_error_set(SHOP_ENOTFOUND, opts.as_of ? "order %s has no events as of %s"
                                                  : "order %s not found",
                       idtext, opts.as_of ? opts.as_of : "");
        status = cli_fail(cli, SHOP_ENOTFOUND);
        goto done;
    }

    if (cli->json)
        doc = cJSON_CreateArray();
    else
        printf("Order %s%s%s\n", idtext, opts.as_of ? " as of " : "", opts.as_of ? opts.as_of : "");
    size_t unreadable = 0;
    int64_t missing = 0, next = 1; /* versions not in the stream; the version due next */
    for (size_t i = 0; i < events.count; i++) {
        const struct es_event *e = &events.items[i];
        order_event decoded;
        char when[CLI_TIME_SIZE], line[SHOP_ERROR_MESSAGE_MAX];
        if (e->stream_version > next) {
            missing += e->stream_version - next;
            if (!doc)
                print_gap(next, e->stream_version - 1);
        }
        bool readable = read_event(&decoded, e, &id, next);
        if (e->stream_version >= next)
            next = e->stream_version + 1;
        if (readable) {
            order_evolve(state, &decoded);
            summarize(line, sizeof line, &decoded);
        } else {
            unreadable++;
            snprintf(line, sizeof line, "(cannot be read: %s)", shop_error_message());
        }
        if (doc) {
            cJSON *o = cli_event_json(e);
            cJSON_AddItemToObject(o, "data", data_json(e, &decoded, readable));
            cJSON_AddItemToArray(doc, o);
        } else {
            printf("  v%-3" PRId64 " %s  %-15s %s\n", e->stream_version,
                   cli_format_time(when, e->recorded_at_us), e->type, line);
        }
    }
    if (doc) {
        cli_print_json(doc);
        doc = NULL;
    } else {
        printf("%s: %s at version %" PRId64 "%s%s\n", opts.as_of ? "Then" : "Now",
               order_status_name(state->status), events.items[events.count - 1].stream_version,
               state->reason[0] ? ", reason: " : "", state->reason);
    }
    fflush(stdout); /* the history first, then what it leaves out */
    status = report_incomplete(cli, unreadable, missing);

done:
    cJSON_Delete(doc);
    es_event_list_dispose(&events);
    es_free(store);
    if (conn)
        PQfinish(conn);
    free(state);
    return status;
}
