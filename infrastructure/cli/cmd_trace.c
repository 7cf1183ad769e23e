/*
 * infrastructure/cli/cmd_trace.c — `shop trace CORRELATION_ID`: the causal tree of every
 * message about one order (docs/architecture.md §10).
 *
 *     order 0190a6f4-... (trace 4bf92f35…)
 *     └─ 12:00:01.123 ordering       OrderPlaced v1        msg 0190a6f4…  published as
 * ordering.OrderPlaced (bus #17) ├─ handled by notifications.order-outcomes at 12:00:01.140 └─
 * 12:00:01.140 notifications  order-placed         "Order 0190… received: …"
 *
 * An operations command: it reads PostgreSQL directly, like `shop events`
 * (infrastructure/messaging/trace_pg.c collects, trace.c links the tree); times are UTC.
 * Under each node come first what subscribers did with its message (handled, waiting for
 * a retry, given up as a dead letter), then what it caused, oldest first.
 * Read next: infrastructure/messaging/trace.h
 */
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/messaging/trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Deeper than this, a tree is cut (with a line saying so): chains of causes are short. */
#define MAX_DEPTH 100

/* Notifications' texts are cut to this many bytes for people (--json has them whole). */
#define TEXT_SHOWN 60

/* "12:00:01.123" (UTC) */
static const char *clock_time(char out[16], int64_t us)
{
    time_t secs = (time_t)(us / 1000000);
    long millis = (long)((us % 1000000) / 1000);
    struct tm tm;
    if (millis < 0) {
        millis += 1000;
        secs -= 1;
    }
    if (!gmtime_r(&secs, &tm))
        snprintf(out, 16, "?");
    else
        snprintf(out, 16, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return out;
}

/* An ellipsis and the last 8 hex digits of an id: "…7b8a90e1".  The last ones: a v7 id
 * begins with its time, so ids of one conversation share their first digits. */
static const char *short_id(char out[16], shop_uuid id)
{
    char text[UUID_STRING_SIZE];
    snprintf(out, 16, "…%s", uuid_format(text, id) + UUID_STRING_SIZE - 1 - 8);
    return out;
}

/* At most TEXT_SHOWN bytes of text, cut at a character boundary, "…" when cut. */
static void print_text(const char *text)
{
    size_t n = strlen(text);
    if (n <= TEXT_SHOWN) {
        printf(" \"%s\"", text);
        return;
    }
    n = TEXT_SHOWN;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) /* not inside a UTF-8 sequence */
        n--;
    printf(" \"%.*s…\"", (int)n, text);
}

static void print_note(const struct trace_note *note)
{
    char when[16];
    switch (note->kind) {
    case TRACE_HANDLED:
        printf("handled by %s at %s\n", note->subscriber, clock_time(when, note->at_us));
        break;
    case TRACE_RETRYING:
        if (note->attempts == 0)
            printf("waiting at %s behind an earlier message of its stream\n", note->subscriber);
        else
            printf("failed at %s (%d attempt%s: %s); next attempt at %s\n", note->subscriber,
                   note->attempts, note->attempts == 1 ? "" : "s",
                   note->error ? note->error : "no error recorded", clock_time(when, note->at_us));
        break;
    case TRACE_DEAD:
        printf("dead letter at %s after %d attempt%s at %s: %s\n", note->subscriber, note->attempts,
               note->attempts == 1 ? "" : "s", clock_time(when, note->at_us),
               note->error ? note->error : "no error recorded");
        break;
    }
}

static void print_node_line(const struct trace_node *n)
{
    char when[16], id[16], type[MESSAGE_TYPE_MAX + 24];
    if (n->kind == TRACE_EVENT)
        snprintf(type, sizeof type, "%s v%" PRId64, n->type, n->version);
    else
        snprintf(type, sizeof type, "%s", n->type);
    printf("%s %-13s  %-24s", clock_time(when, n->at_us), n->context, type);
    if (!uuid_is_nil(n->message_id))
        printf("  msg %s", short_id(id, n->message_id));
    if (n->kind == TRACE_EVENT && n->bus_position > 0)
        printf("  published as %s (bus #%" PRId64 ")", n->bus_type, n->bus_position);
    else if (n->kind == TRACE_MESSAGE && n->in_outbox)
        printf("  (in the outbox, not yet on the bus)");
    else if (n->kind == TRACE_MESSAGE)
        printf("  (bus #%" PRId64 ")", n->bus_position);
    if (n->text)
        print_text(n->text);
    putchar('\n');
}

/* The node at i and what is under it; prefix is the indentation of its line. */
static void print_tree(const struct trace *t, size_t i, char *prefix, size_t prefix_len, bool last,
                       int depth)
{
    const struct trace_node *n = &t->nodes[i];
    printf("%s%s", prefix, last ? "└─ " : "├─ ");
    if (depth > MAX_DEPTH) {
        printf("… (deeper records not shown: see --json)\n");
        return;
    }
    print_node_line(n);

    /* the children's prefix: this one and "   " or "│  " (at most a bounded depth) */
    size_t len = prefix_len;
    const char *more = last ? "   " : "│  ";
    if (len + strlen(more) + 1 < 4096) {
        strcpy(prefix + len, more);
        len += strlen(more);
    }
    size_t items = n->note_count + n->child_count;
    for (size_t k = 0; k < items; k++) {
        bool last_item = k + 1 == items;
        if (k < n->note_count) {
            printf("%s%s", prefix, last_item ? "└─ " : "├─ ");
            print_note(&n->notes[k]);
        } else {
            print_tree(t, n->children[k - n->note_count], prefix, len, last_item, depth + 1);
        }
    }
    prefix[prefix_len] = '\0';
}

static void add_time(cJSON *o, const char *name, int64_t us)
{
    char when[CLI_TIME_SIZE];
    cJSON_AddStringToObject(o, name, cli_format_time(when, us));
}

static void add_id(cJSON *o, const char *name, shop_uuid id)
{
    char text[UUID_STRING_SIZE];
    if (uuid_is_nil(id))
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddStringToObject(o, name, uuid_format(text, id));
}

static const char *kind_name(enum trace_kind k)
{
    return k == TRACE_EVENT ? "event" : k == TRACE_MESSAGE ? "message" : "notification";
}

static cJSON *node_json(const struct trace *t, size_t i, int depth)
{
    const struct trace_node *n = &t->nodes[i];
    cJSON *o = cJSON_CreateObject();
    if (depth > 10 * MAX_DEPTH) { /* a cut that --json readers can see */
        cJSON_AddBoolToObject(o, "truncated", 1);
        return o;
    }
    add_id(o, "message_id", n->message_id);
    add_id(o, "causation_id", n->causation_id);
    cJSON_AddStringToObject(o, "context", n->context);
    cJSON_AddStringToObject(o, "type", n->type);
    add_time(o, "at", n->at_us);
    cJSON_AddStringToObject(o, "kind", kind_name(n->kind));
    if (n->stream[0])
        cJSON_AddStringToObject(o, "stream", n->stream);
    if (n->kind == TRACE_EVENT)
        cJSON_AddNumberToObject(o, "version", (double)n->version);
    if (n->traceparent[0])
        cJSON_AddStringToObject(o, "traceparent", n->traceparent);
    if (n->bus_position > 0) {
        cJSON *bus = cJSON_AddObjectToObject(o, "published_as");
        cJSON_AddStringToObject(bus, "type", n->bus_type);
        cJSON_AddNumberToObject(bus, "position", (double)n->bus_position);
    }
    if (n->in_outbox)
        cJSON_AddBoolToObject(o, "in_outbox", 1);
    if (n->text)
        cJSON_AddStringToObject(o, "text", n->text);
    cJSON *handled = cJSON_AddArrayToObject(o, "handled_by");
    cJSON *retries = cJSON_AddArrayToObject(o, "retries");
    cJSON *dead = cJSON_AddArrayToObject(o, "dead_letters");
    for (size_t k = 0; k < n->note_count; k++) {
        const struct trace_note *note = &n->notes[k];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "subscriber", note->subscriber);
        if (note->kind == TRACE_HANDLED) {
            add_time(x, "at", note->at_us);
            cJSON_AddItemToArray(handled, x);
            continue;
        }
        cJSON_AddNumberToObject(x, "attempts", note->attempts);
        if (note->error)
            cJSON_AddStringToObject(x, "last_error", note->error);
        else
            cJSON_AddNullToObject(x, "last_error");
        add_time(x, note->kind == TRACE_RETRYING ? "next_attempt_at" : "at", note->at_us);
        cJSON_AddItemToArray(note->kind == TRACE_RETRYING ? retries : dead, x);
    }
    cJSON *children = cJSON_AddArrayToObject(o, "children");
    for (size_t c = 0; c < n->child_count; c++)
        cJSON_AddItemToArray(children, node_json(t, n->children[c], depth + 1));
    return o;
}

/* "order" when the conversation is an order's (its stream is in the trace). */
static const char *conversation_name(const struct trace *t)
{
    char stream[8 + UUID_STRING_SIZE], id[UUID_STRING_SIZE];
    snprintf(stream, sizeof stream, "order-%s", uuid_format(id, t->correlation_id));
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->nodes[i].stream, stream) == 0)
            return "order";
    return "correlation";
}

void cli_print_trace(const struct trace *t)
{
    char id[UUID_STRING_SIZE];
    const char *traceparent = trace_traceparent(t);
    printf("%s %s", conversation_name(t), uuid_format(id, t->correlation_id));
    if (strlen(traceparent) == 55) /* "00-<32 hex trace id>-..." */
        printf(" (trace %.8s…)\n", traceparent + 3);
    else
        printf(" (no trace context)\n");
    char *prefix = shop_xcalloc(1, 4096);
    for (size_t r = 0; r < t->root_count; r++)
        print_tree(t, t->roots[r], prefix, 0, r + 1 == t->root_count, 0);
    free(prefix);
}

int cmd_trace(struct cli *cli, int argc, char **argv)
{
    int first;
    int status = cli_parse(cli, cli_find_command("trace"), argc, argv, NULL, NULL, NULL, 1, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "CORRELATION_ID is missing");

    shop_uuid correlation;
    char quoted[TEXT_QUOTE_SIZE];
    if (uuid_parse(&correlation, argv[first]) < 0)
        return cli_usage_error(cli, "CORRELATION_ID %s: is not a UUID",
                               text_quote(quoted, argv[first]));

    PGconn *conn = NULL;
    struct trace trace;
    int rc;
    trace_init(&trace, correlation);
    if ((status = cli_connect(cli, &conn)) != 0)
        goto done;
    if ((rc = trace_collect_pg(&trace, conn)) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    if (trace.count == 0) {
        char id[UUID_STRING_SIZE];
        shop_error_set(SHOP_ENOTFOUND, "nothing recorded with correlation id %s",
                       uuid_format(id, correlation));
        status = cli_fail(cli, SHOP_ENOTFOUND);
        goto done;
    }
    if (cli->json) {
        char id[UUID_STRING_SIZE];
        const char *traceparent = trace_traceparent(&trace);
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "correlation_id", uuid_format(id, correlation));
        if (traceparent[0])
            cJSON_AddStringToObject(doc, "traceparent", traceparent);
        else
            cJSON_AddNullToObject(doc, "traceparent");
        cJSON *nodes = cJSON_AddArrayToObject(doc, "nodes");
        for (size_t r = 0; r < trace.root_count; r++)
            cJSON_AddItemToArray(nodes, node_json(&trace, trace.roots[r], 0));
        cli_print_json(doc);
    } else {
        cli_print_trace(&trace);
    }
    status = CLI_EXIT_OK;

done:
    trace_dispose(&trace);
    if (conn)
        PQfinish(conn);
    return status;
}
