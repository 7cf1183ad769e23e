/*
 * application/eventstore/event_store.h — the event-store port (event sourcing).
 *
 * An event-sourced aggregate (an Order, later a Payment and a Shipment) is stored as the
 * list of events that happened to it: its stream.  This port appends to streams, reads
 * them back, reads the global log of every stream in commit-safe order, and keeps
 * snapshots.  It knows nothing of orders: event data is JSON text that a context's codec
 * writes and reads (infrastructure/ordering/order_codec.c).
 *
 * Adapters:
 *   infrastructure/postgres/event_store_pg.c      the real one (one table per context schema)
 *   infrastructure/memory/event_store_memory.c    for fast tests, same visibility rules
 * One contract suite, tests/contract/event_store_contract.c, runs against both; every
 * promise written below is tested there.
 *
 * Versions: a stream's first event has stream_version 1; a stream with n events is "at
 * version n"; a stream that does not exist is at version 0.
 *
 * Read next: infrastructure/postgres/event_store_pg.c, then docs/patterns/event-sourcing.md
 */
#ifndef SHOP_APPLICATION_EVENTSTORE_EVENT_STORE_H
#define SHOP_APPLICATION_EVENTSTORE_EVENT_STORE_H

#include "application/shared/message_meta.h"

#include <stddef.h>
#include <stdint.h>

#define ES_STREAM_ID_MAX 100 /* bytes of printable ASCII, e.g. "order-0190a6f4-...": 42 */
#define ES_TYPE_MAX      64  /* "OrderPlaced" */

/* Expected versions for es_append().  Any value >= 1 means "exactly this version". */
#define ES_EXPECT_ANY       ((int64_t)-1) /* append whatever the stream's version */
#define ES_EXPECT_NO_STREAM ((int64_t)0)  /* the stream must not exist yet */

/* "No upper bound" for es_stream_range's to_version and until_us. */
#define ES_UNBOUNDED INT64_MAX

/* An event to append: the caller owns every pointer. */
struct es_new_event {
    const char *type;         /* 1..ES_TYPE_MAX printable ASCII */
    int schema_version;       /* >= 1: the shape of data, for upcasting on read */
    const char *data;         /* a JSON object, as text */
    struct message_meta meta; /* message, correlation, causation ids; traceparent */
};

/* An event as recorded.  `data` is owned by the event (see es_event_list_dispose). */
struct es_event {
    int64_t global_position; /* unique, increasing in insertion order (gaps allowed) */
    char stream_id[ES_STREAM_ID_MAX + 1];
    int64_t stream_version;
    char type[ES_TYPE_MAX + 1];
    int schema_version;
    char *data; /* JSON object text; the store may re-format it (key order, spaces) */
    struct message_meta meta;
    int64_t recorded_at_us;  /* when it was recorded, microseconds since the Unix epoch */
    uint64_t transaction_id; /* the recording transaction (PostgreSQL xid8) */
};

struct es_event_list {
    struct es_event *items;
    size_t count;
};

void es_event_list_dispose(struct es_event_list *list);

/* Which part of a stream to read: versions from..to, recorded at or before until_us. */
struct es_stream_range {
    int64_t from_version; /* >= 1 */
    int64_t to_version;   /* inclusive, or ES_UNBOUNDED */
    int64_t until_us;     /* "as of a time": recorded_at_us <= until_us, or ES_UNBOUNDED */
};

/* The whole stream. */
#define ES_WHOLE_STREAM ((struct es_stream_range){1, ES_UNBOUNDED, ES_UNBOUNDED})

/*
 * Where a reader of the global log is: the (transaction id, global position) of the last
 * event it has handled.  {0, 0} is the beginning.  The global log is ordered by this pair,
 * not by position alone: see read_all below.
 */
struct es_checkpoint {
    uint64_t transaction_id;
    int64_t global_position;
};

/* A snapshot: an aggregate's state at stream_version, in the codec's JSON. */
struct es_snapshot {
    int64_t stream_version;
    int schema_version; /* the shape of data; a reader asks for the one it understands */
    char *data;         /* JSON text; owned by whoever filled the struct */
};

void es_snapshot_dispose(struct es_snapshot *s);

#define EVENT_STORE_VERSION 1

struct event_store {
    unsigned version; /* EVENT_STORE_VERSION */

    /*
     * Appends n >= 1 events to stream_id, all or none, as versions v+1..v+n where v is the
     * stream's version.  expected_version is ES_EXPECT_ANY, ES_EXPECT_NO_STREAM or the exact
     * version v the caller last saw; when the stream is at another version nothing is
     * written and the result is SHOP_ECONFLICT (detected by the store's unique
     * (stream, version) key, never by reading first).  *out_version (may be NULL) is the
     * stream's version afterwards.
     *
     * snapshot may be NULL; otherwise it is stored with the events, for the version
     * snapshot->stream_version, which must be the stream's version after this append.
     * A snapshot replaces the stream's older one.
     *
     * If the caller has a transaction open on the store's connection, the append joins it
     * (and becomes visible when the caller commits); otherwise it commits on its own.
     */
    int (*append)(struct event_store *self, int64_t *out_version, const char *stream_id,
                  int64_t expected_version, const struct es_new_event *events, size_t n,
                  const struct es_snapshot *snapshot);

    /*
     * The events of stream_id within range, in version order.  An empty list (not an
     * error) when the stream does not exist or nothing is in range.
     */
    int (*read_stream)(struct event_store *self, struct es_event_list *out, const char *stream_id,
                       struct es_stream_range range);

    /*
     * Loads an aggregate: the stream's newest snapshot of schema snapshot_schema_version (a
     * snapshot of any other schema version, written by older or newer code, is ignored) and
     * the events after it.  Without a usable snapshot, out_snapshot->data is NULL,
     * out_snapshot->stream_version 0 and out_events is the whole stream.
     */
    int (*load)(struct event_store *self, struct es_snapshot *out_snapshot,
                struct es_event_list *out_events, const char *stream_id,
                int snapshot_schema_version);

    /*
     * The global log: up to max_count events of every stream that come after `after` in
     * (transaction id, global position) order, and were committed.  Never skips a committed
     * event: it returns only events of transactions older than every transaction still in
     * progress (PostgreSQL: transaction_id < pg_snapshot_xmin(pg_current_snapshot())), so
     * an event whose transaction commits late is returned later, after the checkpoint,
     * and nothing is returned twice.  The caller's next checkpoint is the last event's
     * (transaction_id, global_position).
     */
    int (*read_all)(struct event_store *self, struct es_event_list *out, struct es_checkpoint after,
                    size_t max_count);

    void (*free)(struct event_store *self);
};

static inline int es_append(struct event_store *s, int64_t *out_version, const char *stream_id,
                            int64_t expected_version, const struct es_new_event *events, size_t n,
                            const struct es_snapshot *snapshot)
{
    return s->append(s, out_version, stream_id, expected_version, events, n, snapshot);
}

static inline int es_read_stream(struct event_store *s, struct es_event_list *out,
                                 const char *stream_id, struct es_stream_range range)
{
    return s->read_stream(s, out, stream_id, range);
}

static inline int es_load(struct event_store *s, struct es_snapshot *out_snapshot,
                          struct es_event_list *out_events, const char *stream_id,
                          int snapshot_schema_version)
{
    return s->load(s, out_snapshot, out_events, stream_id, snapshot_schema_version);
}

static inline int es_read_all(struct event_store *s, struct es_event_list *out,
                              struct es_checkpoint after, size_t max_count)
{
    return s->read_all(s, out, after, max_count);
}

static inline void es_free(struct event_store *s)
{
    if (s)
        s->free(s);
}

/*
 * What loading an event-sourced aggregate without snapshots is: read the whole stream and
 * hand its events, oldest first, to apply(state, event), which decodes one and folds it
 * in (evolve).  A version that does not follow the one before, or an apply that fails,
 * stops the fold: SHOP_EINTERNAL "<stream>: read version 3 after version 1", or
 * "<stream> version 2: <apply's message>".  *out_version is the last version applied
 * (0: no events); on failure it is 0 and the caller resets its state.  Payments' and
 * Shipping's stores are this plus their codec; the Order store adds snapshots (es_load).
 */
typedef int es_apply_fn(void *state, const struct es_event *event);
int es_fold_stream(int64_t *out_version, struct event_store *s, const char *stream_id,
                   es_apply_fn *apply, void *state);

/*
 * Checks arguments the same way for every adapter (application/eventstore/event_store.c):
 * stream id 1..ES_STREAM_ID_MAX printable ASCII without spaces, 1 <= n, types and schema
 * versions valid, expected_version >= ES_EXPECT_ANY, a snapshot's version consistent.
 * SHOP_EINVALID with a message naming the argument.
 */
int es_check_append(const char *stream_id, int64_t expected_version,
                    const struct es_new_event *events, size_t n,
                    const struct es_snapshot *snapshot);
int es_check_stream_id(const char *stream_id);
/* The same for the readers: a valid stream id, range.from_version >= 1, a snapshot
 * schema version >= 1, max_count >= 1. */
/* The read checks also empty the outputs first, so a refused read leaves nothing to free. */
int es_check_read_stream(struct es_event_list *out, const char *stream_id,
                         struct es_stream_range range);
int es_check_load(struct es_snapshot *out_snapshot, struct es_event_list *out_events,
                  const char *stream_id, int snapshot_schema_version);
int es_check_read_all(struct es_event_list *out, size_t max_count);

/*
 * Records the one message every adapter gives when an append finds the stream at another
 * version than expected_version, and returns SHOP_ECONFLICT.  stream_is_behind: the
 * stream has fewer events than expected (otherwise another writer got there first).
 */
int es_conflict(const char *stream_id, int64_t expected_version, int stream_is_behind);

#endif
