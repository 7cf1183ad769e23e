/*
 * tests/support/messaging_worker.c — a relay or a consumer as a real process, for the
 * process tests (tests/integration/messaging_process_test.sh) and bench/messaging.
 *
 *   messaging_worker relay CONTEXT      [--db CONNINFO] [--poll-ms N] [--no-listen]
 *   messaging_worker consume SUBSCRIBER [--db CONNINFO] [--poll-ms N] [--no-listen]
 *                                       [--partitions N] [--max-attempts N]
 *
 * It runs one worker (worker.h) until SIGTERM or SIGINT, exactly as a service runs it:
 * own thread, own connection, LISTEN unless --no-listen, a poll every poll_ms.  Its
 * connection's application_name is "messaging-worker-<pid>", so a test can find (and
 * terminate) its backend and no other.  The consumer subscribes to catalog.PriceChanged
 * and catalog.ProductAdded with ordering's inbox, and records each message it handles in
 * ordering.worker_handled (which the test creates) with the subscriber, its pid and the
 * payload's "seq", in the consumer's transaction.  A relay of catalog moves catalog.outbox; a relay
 * of an event-sourced context publishes each event as "<context>.<Type>". SHOP_CRASH_POINT applies
 * as in any shop process.
 */
#include "domain/shared/error.h"
#include "infrastructure/messaging/consumer.h"
#include "infrastructure/messaging/relay.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/connection.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: messaging_worker relay CONTEXT | consume SUBSCRIBER [--db CONNINFO] [--poll-ms N]\n"
    "                        [--no-listen] [--partitions N] [--max-attempts N] [--verbose]\n";

static const char *conninfo = "";
static const char *subscriber = "";

static int connect_db(PGconn **out, void *arg)
{
    (void)arg;
    char app[64];
    snprintf(app, sizeof app, "messaging-worker-%ld", (long)getpid());
    return pg_connect(out, pg_conninfo_choose(conninfo), app, false);
}

static int record_handled(void *ctx, const struct message *m)
{
    PGconn *conn = ctx;
    char id[UUID_STRING_SIZE], pid[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    const char *params[] = {uuid_format(id, m->meta.message_id), m->stream, m->payload, pid,
                            subscriber};
    PGresult *res = PQexecParams(conn,
                                 "INSERT INTO ordering.worker_handled"
                                 "       (message_id, stream, seq, pid, subscriber)"
                                 " VALUES ($1::uuid, $2, ($3::jsonb->>'seq')::int, $4::int, $5)",
                                 5, NULL, params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK
                 ? 0
                 : shop_error_set(SHOP_EINTERNAL, "recording: %s", PQerrorMessage(conn));
    PQclear(res);
    return rc;
}

static int open_handler(void **ctx, PGconn *conn, void *arg)
{
    (void)arg;
    *ctx = conn;
    return 0;
}

static char relay_context[MESSAGE_CONTEXT_MAX + 1];

static int translate_all(const struct es_event *event, struct outgoing_message *out, bool *publish)
{
    size_t n = strlen(relay_context) + 1 + strlen(event->type);
    if (n >= sizeof out->type)
        return shop_error_set(SHOP_EINVALID, "type %s.%s is too long", relay_context, event->type);
    memcpy(out->type, relay_context, strlen(relay_context));
    out->type[strlen(relay_context)] = '.';
    memcpy(out->type + strlen(relay_context) + 1, event->type, strlen(event->type) + 1);
    out->schema_version = event->schema_version;
    snprintf(out->stream, sizeof out->stream, "%s", event->stream_id);
    out->payload = strdup(event->data);
    out->meta = event->meta;
    *publish = out->payload != NULL;
    return out->payload ? 0 : shop_error_set(SHOP_EINTERNAL, "out of memory");
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "relay") != 0 && strcmp(argv[1], "consume") != 0)) {
        fputs(usage, stderr);
        return 2;
    }
    struct worker_options wopt = {.listen = 1};
    struct consumer_options copt = {0};
    for (int i = 3; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--db") == 0 && has_value)
            conninfo = argv[++i];
        else if (strcmp(argv[i], "--poll-ms") == 0 && has_value)
            wopt.poll_ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--partitions") == 0 && has_value)
            copt.partitions = atoi(argv[++i]);
        else if (strcmp(argv[i], "--max-attempts") == 0 && has_value)
            copt.max_attempts = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-listen") == 0)
            wopt.listen = 0;
        else if (strcmp(argv[i], "--verbose") == 0)
            wopt.verbose = true;
        else {
            fprintf(stderr, "messaging_worker: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
    }

    /* SIGTERM and SIGINT are waited for here, blocked in every thread. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    struct worker_def def;
    void *arg;
    struct relay_source source = {0};
    struct subscription sub = {.inbox_schema = "ordering",
                               .types = {"catalog.PriceChanged", "catalog.ProductAdded"},
                               .handle = record_handled,
                               .open = open_handler};
    struct consumer_worker_arg consumer_arg = {.sub = &sub, .opt = &copt};
    if (strcmp(argv[1], "relay") == 0) {
        snprintf(relay_context, sizeof relay_context, "%s", argv[2]);
        source.context = relay_context;
        source.kind = strcmp(argv[2], "catalog") == 0 ? RELAY_OUTBOX_TABLE : RELAY_EVENT_STORE;
        source.translate = translate_all;
        relay_worker_def(&def, &source);
        arg = &source;
    } else {
        sub.name = subscriber = argv[2];
        def = consumer_worker;
        def.name = argv[2];
        arg = &consumer_arg;
    }
    struct worker *w;
    if (worker_start(&w, &def, arg, connect_db, NULL, &wopt) < 0) {
        fprintf(stderr, "messaging_worker: %s\n", shop_error_message());
        return 3;
    }
    int sig;
    sigwait(&stop, &sig);
    worker_stop(w);
    return 0;
}
