/*
 * infrastructure/cli/cmd_events.c — `shop events tail [--follow] [--from POSITION]
 * [--lines N]`.
 *
 * The global event log as a reader of it sees it: every committed event, in the order
 * es_read_all delivers (transaction id, then position), read in batches from a
 * checkpoint.  Without --from it shows the last N events; with --from, everything from
 * that position on.  (An operations command: it reads the database directly.)
 *
 * --follow then goes on reading from the last checkpoint, as a subscriber of the log
 * does: it LISTENs on shop_events_ordering (a trigger of migration 0007 NOTIFYs at every
 * commit of events) and also reads every second, because a notification is only a
 * wake-up — an event of a transaction that commits while an older one still runs becomes
 * readable only later, and es_read_all's checkpoint never skips it.  SIGINT or SIGTERM
 * ends it cleanly: connection closed, exit 0.  With --json, one JSON object per line.
 * Read next: application/eventstore/event_store.h (read_all), infrastructure/postgres/
 * event_log_pg.c (where to start)
 */
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/postgres/event_log_pg.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/postgres/sqlstate.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_DEFAULT_LINES 10
#define TAIL_BATCH         500
#define FOLLOW_CHANNEL     "shop_events_ordering"
#define FOLLOW_POLL_MS     1000 /* read at least this often, notified or not */

struct tail_options {
    const char *from;
    const char *lines;
    bool follow;
};

/* Set by SIGINT/SIGTERM while following. */
static volatile sig_atomic_t stop_following;

static void on_stop_signal(int signo)
{
    (void)signo;
    stop_following = 1;
}

static void on_option(void *ctx, int opt, const char *arg)
{
    struct tail_options *o = ctx;
    if (opt == 'f')
        o->from = arg;
    else if (opt == 'n')
        o->lines = arg;
    else if (opt == 'F')
        o->follow = true;
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

/* The event as one JSON object (data parsed) for --json. */
static cJSON *event_json(const struct es_event *e)
{
    cJSON *o = cli_event_json(e);
    cJSON *data = cJSON_Parse(e->data);
    cJSON_AddItemToObject(o, "data", data ? data : cJSON_CreateNull());
    return o;
}

/* One event as a line of its own: text, or (ndjson) one JSON object. */
static void print_line(const struct es_event *e, bool ndjson)
{
    if (!ndjson) {
        print_event(e);
        return;
    }
    cJSON *o = event_json(e);
    char *text = cJSON_PrintUnformatted(o);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* Reads and prints everything after *at, advancing it; 0 or the reader's error. */
static int print_new_events(struct event_store *store, struct es_checkpoint *at, bool ndjson)
{
    struct es_event_list batch = {0};
    int rc;
    do {
        if ((rc = es_read_all(store, &batch, *at, TAIL_BATCH)) < 0)
            return rc;
        for (size_t i = 0; i < batch.count; i++)
            print_line(&batch.items[i], ndjson);
        if (batch.count > 0)
            *at = (struct es_checkpoint){batch.items[batch.count - 1].transaction_id,
                                         batch.items[batch.count - 1].global_position};
        fflush(stdout);
        es_event_list_dispose(&batch);
    } while (rc == 0 && batch.count == TAIL_BATCH && !stop_following);
    return 0;
}

/* Waits up to FOLLOW_POLL_MS for a notification on conn (or a signal); drains them. */
static int wait_for_events(PGconn *conn)
{
    struct pollfd fd = {.fd = PQsocket(conn), .events = POLLIN};
    if (fd.fd < 0)
        return shop_error_set(SHOP_EUNAVAILABLE, "the database connection is closed");
    int n = poll(&fd, 1, FOLLOW_POLL_MS);
    if (n < 0 && errno != EINTR)
        return shop_error_set(SHOP_EIO, "waiting for events: %s", strerror(errno));
    if (n > 0) {
        if (!PQconsumeInput(conn))
            return shop_error_set(SHOP_EUNAVAILABLE, "lost the database connection: %s",
                                  PQerrorMessage(conn));
        PGnotify *note;
        while ((note = PQnotifies(conn)))
            PQfreemem(note);
    }
    return 0;
}

/*
 * --follow: LISTEN, then read what came after `at` whenever woken or every second, until
 * SIGINT/SIGTERM.  The signals are caught only here; the connection is the caller's to close.
 */
static int follow(struct cli *cli, PGconn *conn, struct event_store *store, struct es_checkpoint at,
                  bool ndjson)
{
    struct sigaction stop = {.sa_handler = on_stop_signal}, old_int, old_term;
    int rc;
    sigemptyset(&stop.sa_mask); /* no SA_RESTART: poll() returns at once with EINTR */
    stop_following = 0;
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);

    rc = pg_exec_command(conn, "LISTEN " FOLLOW_CHANNEL, "listening for new events");
    while (rc == 0 && !stop_following) {
        /* read first: events committed between the first read and the LISTEN are not lost */
        if ((rc = print_new_events(store, &at, ndjson)) < 0 || stop_following)
            break;
        rc = wait_for_events(conn);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc < 0 ? cli_fail(cli, rc) : CLI_EXIT_OK;
}

int cmd_events_tail(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"from", required_argument, NULL, 'f'},
                                        {"lines", required_argument, NULL, 'n'},
                                        {"follow", no_argument, NULL, 'F'},
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
    /* --json --follow: one object per line, the first ones too (a stream has no end) */
    bool ndjson = cli->json && opts.follow;
    cJSON *doc = cli->json && !ndjson ? cJSON_CreateArray() : NULL;
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
            if (doc)
                cJSON_AddItemToArray(doc, event_json(e));
            else
                print_line(e, ndjson);
        }
        shown += (int64_t)batch.count;
        at = (struct es_checkpoint){batch.items[batch.count - 1].transaction_id,
                                    batch.items[batch.count - 1].global_position};
        es_event_list_dispose(&batch);
    }
    if (opts.follow) {
        fflush(stdout);
        status = follow(cli, conn, store, at, ndjson);
        goto done;
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
