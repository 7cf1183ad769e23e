/*
 * infrastructure/cli/cmd_events.c — `shop events tail [--from POSITION] [--lines N]`.
 *
 * The global event log as a reader of it sees it: every committed event, in the order
 * es_read_all delivers (transaction id, then position), read in batches from a
 * checkpoint.  Without --from it shows the last N events; with --from, everything from
 * that position on.  (An operations command: it reads the database directly.)
 * Read next: application/eventstore/event_store.h (read_all), infrastructure/postgres/
 * event_log_pg.c (where to start)
 */
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/postgres/event_log_pg.h"
#include "infrastructure/postgres/event_store_pg.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_DEFAULT_LINES 10
#define TAIL_BATCH         500

struct tail_options {
    const char *from;
    const char *lines;
};

static void on_option(void *ctx, int opt, const char *arg)
{
    struct tail_options *o = ctx;
    if (opt == 'f')
        o->from = arg;
    else if (opt == 'n')
        o->lines = arg;
}

static int parse_count(int64_t *out, const char *option, const char *text, int64_t min)
{
    char q[TEXT_QUOTE_SIZE];
    if (text_parse_int64(out, text) < 0 || *out < min)
        return shop_error_set(SHOP_EINVALID, "%s %s: expected a whole number, at least %lld",
                              option, text_quote(q, text), (long long)min);
    return SHOP_OK;
}

static void print_event(const struct es_event *e)
{
    char when[CLI_TIME_SIZE];
    cJSON *data = cJSON_Parse(e->data);
    char *compact = data ? cJSON_PrintUnformatted(data) : NULL;
    printf("%8" PRId64 "  %s  %s v%" PRId64 "  %s %s\n", e->global_position,
           cli_format_time(when, e->recorded_at_us), e->stream_id, e->stream_version, e->type,
           compact ? compact : e->data);
    cJSON_free(compact);
    cJSON_Delete(data);
}

int cmd_events_tail(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"from", required_argument, NULL, 'f'},
                                        {"lines", required_argument, NULL, 'n'},
                                        {0}};
    struct tail_options opts = {0};
    int status = cli_parse(cli, cli_find_command("events tail"), argc, argv, own, on_option,
                           &opts, 0, NULL);
    if (status >= 0)
        return status;

    int64_t from = 0, limit = opts.from ? INT64_MAX : TAIL_DEFAULT_LINES;
    int rc;
    if ((opts.from && (rc = parse_count(&from, "--from", opts.from, 1)) < 0) ||
        (opts.lines && (rc = parse_count(&limit, "--lines", opts.lines, 1)) < 0))
        return cli_usage_error(cli, "%s", shop_error_message());

    PGconn *conn = NULL;
    struct event_store *store = NULL;
    struct es_event_list batch = {0};
    struct es_checkpoint at;
    cJSON *doc = cli->json ? cJSON_CreateArray() : NULL;
    int64_t shown = 0;

    if ((status = cli_connect(cli, &conn)) != 0)
        goto done;
    if ((rc = event_store_pg_new(&store, conn, "ordering")) < 0 ||
        (rc = opts.from ? event_log_pg_checkpoint_at(&at, conn, "ordering", from)
                        : event_log_pg_checkpoint_last(&at, conn, "ordering", (size_t)limit)) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    while (shown < limit) {
        size_t want = limit - shown < TAIL_BATCH ? (size_t)(limit - shown) : TAIL_BATCH;
        if ((rc = es_read_all(store, &batch, at, want)) < 0) {
            status = cli_fail(cli, rc);
            goto done;
        }
        if (batch.count == 0)
            break;
        for (size_t i = 0; i < batch.count; i++) {
            const struct es_event *e = &batch.items[i];
            if (doc) {
                cJSON *o = cli_event_json(e);
                cJSON *data = cJSON_Parse(e->data);
                cJSON_AddItemToObject(o, "data", data ? data : cJSON_CreateNull());
                cJSON_AddItemToArray(doc, o);
            } else {
                print_event(e);
            }
        }
        shown += (int64_t)batch.count;
        at = (struct es_checkpoint){batch.items[batch.count - 1].transaction_id,
                                    batch.items[batch.count - 1].global_position};
        es_event_list_dispose(&batch);
    }
    if (doc) {
        cli_print_json(doc);
        doc = NULL;
    } else if (shown == 0) {
        fprintf(stderr, "shop events tail: no events%s\n", opts.from ? " from that position" : "");
    }
    status = CLI_EXIT_OK;

done:
    cJSON_Delete(doc);
    es_event_list_dispose(&batch);
    es_free(store);
    if (conn)
        PQfinish(conn);
    return status;
}
