/*
 * infrastructure/ordering/order_store_es.c — the order-store port on an event store
 * (repository of an event-sourced aggregate, with snapshots).
 *
 * An order's stream is "order-<id>" (order_stream_id).  load() asks the event store for
 * the newest snapshot this code can read (schema ORDER_SNAPSHOT_SCHEMA_VERSION) and the
 * events after it, decodes them (order_codec.c) and folds them with order_evolve().
 * append() encodes the events and appends them with the expected version; when the
 * stream's version reaches a multiple of snapshot_every, it stores the state at the new
 * version with them, in the same append.
 *
 * A snapshot is the state at a version: the state the events were decided on, folded with
 * the events.  When one is due, append() reads the state at the expected version afresh,
 * with load() through the same event store (inside a caller's transaction it sees that
 * transaction's own events), just before the append.  If the stream is at another version
 * the snapshot is left out: the append will most likely be refused with SHOP_ECONFLICT,
 * and if not, a later boundary writes one.  If another writer moves the stream between
 * the read and the append, the append is refused, snapshot and all.  The extra read
 * happens once every snapshot_every events.
 *
 * The adapter remembers no state between calls.  A state it loaded or wrote may be one
 * that a caller's transaction saw and then rolled back; another writer may then record
 * other events at the same versions, and a snapshot made from the remembered state would
 * be trusted by every later load (tests/contract/order_store_contract.c,
 * a_snapshot_never_contains_events_that_were_rolled_back).
 *
 * Not thread-safe: one adapter per thread, like the event store beneath it.
 * Read next: application/ordering/order_service.c, tests/contract/order_store_contract.c
 */
#include "infrastructure/ordering/order_store_es.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/ordering/order_codec.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct order_store_es {
    struct order_store base;    /* first: the port */
    struct event_store *events; /* borrowed */
    int snapshot_every;         /* 0: never */
};

/*
 * Folds recorded events onto *state, which is at *version: each must be the next version
 * of this order's stream and decode.  Stored data this code cannot read is SHOP_EINTERNAL
 * naming the stream and version, with the codec's reason.
 */
static int fold(order *state, int64_t *version, const struct es_event_list *events,
                const char *stream, const order_id *id)
{
    for (size_t i = 0; i < events->count; i++) {
        const struct es_event *e = &events->items[i];
        order_event event;
        if (e->stream_version != *version + 1)
            return shop_error_set(SHOP_EINTERNAL, "%s: read version %lld after version %lld",
                                  stream, (long long)e->stream_version, (long long)*version);
        if (order_event_decode(&event, e->type, e->schema_version, e->data) < 0)
            return shop_error_set(SHOP_EINTERNAL, "%s version %lld: %s", stream,
                                  (long long)e->stream_version, shop_error_message());
        if (!uuid_equal(event.order_id.uuid, id->uuid))
            return shop_error_set(SHOP_EINTERNAL, "%s version %lld: the event is of another order",
                                  stream, (long long)e->stream_version);
        order_evolve(state, &event);
        *version = e->stream_version;
    }
    return 0;
}

static int es_order_load(struct order_store *self, order *out, int64_t *out_version,
                         const order_id *id)
{
    struct order_store_es *s = (struct order_store_es *)self;
    char stream[ORDER_STREAM_ID_SIZE];
    struct es_snapshot snapshot = {0};
    struct es_event_list events = {0};
    int64_t version = 0;

    order_init(out);
    *out_version = 0;
    order_stream_id(stream, *id);
    int rc = es_load(s->events, &snapshot, &events, stream, ORDER_SNAPSHOT_SCHEMA_VERSION);
    if (rc < 0)
        goto done;
    if (snapshot.data) {
        if (order_snapshot_decode(out, snapshot.data) == 0 && uuid_equal(out->id.uuid, id->uuid)) {
            version = snapshot.stream_version;
        } else {
            /*
             * A snapshot is only a shortcut through the stream, never the truth: one that
             * does not decode (damaged, or written by a bug) is ignored, and the state is
             * rebuilt from every event of the stream instead.
             */
            order_init(out);
            es_event_list_dispose(&events);
            rc = es_read_stream(s->events, &events, stream, ES_WHOLE_STREAM);
            if (rc < 0)
                goto done;
        }
    }
    rc = fold(out, &version, &events, stream, id);
    if (rc < 0)
        goto done;
    *out_version = version;

done:
    if (rc < 0)
        order_init(out);
    es_snapshot_dispose(&snapshot);
    es_event_list_dispose(&events);
    return rc;
}

int order_store_es_load_as_of(struct order_store *store, order *out, int64_t *out_version,
                              const order_id *id, int64_t to_version)
{
    struct order_store_es *s = (struct order_store_es *)store;
    char stream[ORDER_STREAM_ID_SIZE];
    struct es_event_list events = {0};
    struct es_stream_range range = {1, to_version, ES_UNBOUNDED};
    int64_t version = 0;

    order_init(out);
    *out_version = 0;
    if (to_version < 1)
        return shop_error_set(SHOP_EINVALID, "as of version %lld: a version is 1 or more",
                              (long long)to_version);
    order_stream_id(stream, *id);
    int rc = es_read_stream(s->events, &events, stream, range); /* no snapshot: it may be newer */
    if (rc == 0)
        rc = fold(out, &version, &events, stream, id);
    if (rc == 0)
        *out_version = version;
    else
        order_init(out);
    es_event_list_dispose(&events);
    return rc;
}

/* Does an append of n events after expected_version reach a multiple of every? */
static bool snapshot_due(int every, int64_t expected_version, size_t n)
{
    if (every <= 0 || expected_version < 0)
        return false;
    return (expected_version + (int64_t)n) / every > expected_version / every;
}

static int es_order_append(struct order_store *self, const order_id *id, int64_t expected_version,
                           const order_event *events, size_t n, const struct message_meta *meta)
{
    struct order_store_es *s = (struct order_store_es *)self;
    static const struct message_meta no_meta = {0};
    char stream[ORDER_STREAM_ID_SIZE];
    struct es_new_event *records = NULL;
    char **texts = NULL;
    struct es_snapshot snapshot = {0};
    order *next = NULL; /* the state after these events, when a snapshot is due */
    int rc = 0;

    if (n == 0 || !events)
        return shop_error_set(SHOP_EINVALID, "an append needs at least one event");
    order_stream_id(stream, *id);
    records = shop_xcalloc(n, sizeof *records);
    texts = shop_xcalloc(n, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        if (!uuid_equal(events[i].order_id.uuid, id->uuid)) {
            rc = shop_error_set(SHOP_EINVALID, "event %zu is of another order than %s", i + 1,
                                stream);
            goto done;
        }
        rc =
            order_event_encode(&texts[i], &records[i].type, &records[i].schema_version, &events[i]);
        if (rc < 0)
            goto done;
        records[i].data = texts[i];
        records[i].meta = meta ? *meta : no_meta;
    }

    /* A snapshot due: the state at expected_version, read now, folded with the events. */
    if (snapshot_due(s->snapshot_every, expected_version, n)) {
        int64_t version;
        next = shop_xmalloc(sizeof *next);
        rc = es_order_load(self, next, &version, id);
        if (rc < 0)
            goto done;
        if (version == expected_version) { /* otherwise no snapshot: see the header */
            for (size_t i = 0; i < n; i++)
                order_evolve(next, &events[i]);
            rc = order_snapshot_encode(&snapshot.data, next);
            if (rc < 0)
                goto done;
            snapshot.stream_version = expected_version + (int64_t)n;
            snapshot.schema_version = ORDER_SNAPSHOT_SCHEMA_VERSION;
        }
    }

    rc = es_append(s->events, NULL, stream, expected_version, records, n,
                   snapshot.data ? &snapshot : NULL);

done:
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(records);
    free(next);
    es_snapshot_dispose(&snapshot);
    return rc;
}

static void es_order_free(struct order_store *self)
{
    free(self);
}

int order_store_es_new(struct order_store **out, struct event_store *events, int snapshot_every)
{
    *out = NULL;
    if (!events)
        return shop_error_set(SHOP_EINVALID, "an order store needs an event store");
    if (snapshot_every < 0)
        return shop_error_set(SHOP_EINVALID, "snapshot interval %d is below 0", snapshot_every);
    struct order_store_es *s = shop_xcalloc(1, sizeof *s);
    s->base.version = ORDER_STORE_VERSION;
    s->base.load = es_order_load;
    s->base.append = es_order_append;
    s->base.free = es_order_free;
    s->events = events;
    s->snapshot_every = snapshot_every;
    *out = &s->base;
    return 0;
}
