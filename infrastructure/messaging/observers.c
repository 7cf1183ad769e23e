/*
 * infrastructure/messaging/observers.c — the event log and the event counter, the
 * observers every service subscribes to its context's domain events (see observers.h).
 *
 * Pattern: observer.  The dispatcher (application/messaging/dispatcher.c) knows nothing of
 * logs or metrics; these two functions know nothing of the contexts: they read only what
 * every domain event carries — its context, its type and its ids.
 * State: one table of counters and one table of per-context dispatchers for the process,
 * each behind its mutex (the services of `shop up --monolith` run in threads of one
 * process).  Both tables are static storage: nothing to free, and they outlive any one
 * opening of a service.
 * Read next: application/ordering/order_service.c (where Ordering dispatches after the
 * commit), tests/integration/event_observers_test.c
 */
#include "infrastructure/messaging/observers.h"

#include "domain/shared/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#define NAME_MAX_LEN 63

struct counter {
    char context[NAME_MAX_LEN + 1];
    char type[NAME_MAX_LEN + 1];
    uint64_t value;
};

static struct {
    pthread_mutex_t lock;
    struct counter rows[EVENT_COUNTERS_MAX];
    size_t count;
} counters = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct {
    pthread_mutex_t lock;
    struct {
        char context[NAME_MAX_LEN + 1];
        struct dispatcher dispatcher;
    } rows[EVENT_OBSERVERS_CONTEXTS_MAX];
    size_t count;
} contexts = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The process's event log: stderr, or NULL (off).  Atomic: the services' threads read it. */
static _Atomic(FILE *) process_log;
static atomic_bool process_log_set;

void event_log_set(FILE *log)
{
    atomic_store(&process_log, log);
    atomic_store(&process_log_set, true);
}

FILE *event_log_file(void)
{
    return atomic_load(&process_log_set) ? atomic_load(&process_log) : stderr;
}

/* "-" for a nil id, its canonical form otherwise. */
static const char *id_text(char out[UUID_STRING_SIZE], shop_uuid id)
{
    if (uuid_is_nil(id))
        return strcpy(out, "-");
    return uuid_format(out, id);
}

/* " message_id=... correlation_id=... causation_id=... traceparent=..." into out. */
static void format_ids(char *out, size_t size, const struct domain_event *e)
{
    char message[UUID_STRING_SIZE], correlation[UUID_STRING_SIZE], causation[UUID_STRING_SIZE];
    static const struct message_meta none = {0};
    const struct message_meta *m = e->meta ? e->meta : &none;
    snprintf(out, size, " message_id=%s correlation_id=%s causation_id=%s traceparent=%s",
             id_text(message, m->message_id), id_text(correlation, m->correlation_id),
             id_text(causation, m->causation_id), m->traceparent[0] ? m->traceparent : "-");
}

int event_log_observer(void *ctx, const struct domain_event *e)
{
    FILE *log = ctx ? ctx : event_log_file();
    char ids[200];
    if (!log)
        return 0; /* the log is off */
    format_ids(ids, sizeof ids, e);
    /* one call, so that lines of several threads never interleave (stdio locks the FILE) */
    if (fprintf(log, "%s: event %s%s\n", e->context, e->type, ids) < 0 || fflush(log) != 0)
        return shop_error_set(SHOP_EIO, "cannot write the event log");
    return 0;
}

int event_counter_observer(void *ctx, const struct domain_event *e)
{
    int rc = 0;
    (void)ctx;
    if (strlen(e->context) > NAME_MAX_LEN || strlen(e->type) > NAME_MAX_LEN)
        return shop_error_set(SHOP_EINVALID, "an event's context and type may be at most %d bytes",
                              NAME_MAX_LEN);
    pthread_mutex_lock(&counters.lock);
    size_t i = 0;
    while (i < counters.count && (strcmp(counters.rows[i].context, e->context) != 0 ||
                                  strcmp(counters.rows[i].type, e->type) != 0))
        i++;
    if (i == counters.count) {
        if (counters.count == EVENT_COUNTERS_MAX) {
            rc = shop_error_set(SHOP_EINVALID, "at most %d kinds of event are counted",
                                EVENT_COUNTERS_MAX);
            goto done;
        }
        strcpy(counters.rows[i].context, e->context);
        strcpy(counters.rows[i].type, e->type);
        counters.rows[i].value = 0;
        counters.count++;
    }
    counters.rows[i].value++;
done:
    pthread_mutex_unlock(&counters.lock);
    return rc;
}

void event_observers_report(void *log_ctx, const char *observer, const struct domain_event *e,
                            int rc, const char *message)
{
    FILE *log = log_ctx ? log_ctx : stderr;
    char ids[200];
    (void)rc;
    format_ids(ids, sizeof ids, e);
    fprintf(log, "%s: observer %s failed on %s%s: %s\n", e->context, observer, e->type, ids,
            message);
    fflush(log);
}

int event_observers_subscribe(struct dispatcher *d, FILE *log)
{
    int rc = dispatcher_subscribe(d, "*", "event log", event_log_observer, log);
    if (rc == 0)
        rc = dispatcher_subscribe(d, "*", "event counter", event_counter_observer, NULL);
    return rc;
}

struct dispatcher *event_observers(const char *context)
{
    struct dispatcher *found = NULL;
    if (strlen(context) > NAME_MAX_LEN)
        return NULL;
    pthread_mutex_lock(&contexts.lock);
    for (size_t i = 0; i < contexts.count && !found; i++)
        if (strcmp(contexts.rows[i].context, context) == 0)
            found = &contexts.rows[i].dispatcher;
    if (!found && contexts.count < EVENT_OBSERVERS_CONTEXTS_MAX) {
        strcpy(contexts.rows[contexts.count].context, context);
        found = &contexts.rows[contexts.count].dispatcher;
        dispatcher_init(found, event_observers_report, NULL);
        event_observers_subscribe(found, NULL); /* an empty table has room for both */
        contexts.count++;
    }
    pthread_mutex_unlock(&contexts.lock);
    return found;
}

uint64_t event_counter_value(const char *context, const char *type)
{
    uint64_t value = 0;
    pthread_mutex_lock(&counters.lock);
    for (size_t i = 0; i < counters.count; i++)
        if (strcmp(counters.rows[i].context, context) == 0 &&
            strcmp(counters.rows[i].type, type) == 0)
            value = counters.rows[i].value;
    pthread_mutex_unlock(&counters.lock);
    return value;
}

void event_counters_print(void *ctx, FILE *out)
{
    (void)ctx;
    fprintf(out, "# HELP shop_domain_events_total Domain events observed after their commit, by "
                 "context and type.\n"
                 "# TYPE shop_domain_events_total counter\n");
    pthread_mutex_lock(&counters.lock);
    for (size_t i = 0; i < counters.count; i++)
        fprintf(out, "shop_domain_events_total{context=\"%s\",type=\"%s\"} %llu\n",
                counters.rows[i].context, counters.rows[i].type,
                (unsigned long long)counters.rows[i].value);
    pthread_mutex_unlock(&counters.lock);
}
