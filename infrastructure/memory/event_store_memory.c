/*
 * infrastructure/memory/event_store_memory.c — the event store in memory, for fast tests.
 *
 * Pattern: an adapter of the event-store port that keeps the PostgreSQL adapter's promises
 * (tests/contract/event_store_contract.c runs on both), modelled on how PostgreSQL
 * behaves rather than on what is easiest in memory:
 *
 *  - Transactions.  Every append is a transaction with the next id of an increasing
 *    sequence, committed at once.  A test may open "another writer's" transaction
 *    (event_store_memory_open_other), append in it and end it later.  Its events take
 *    their global positions when they are appended, like rows taking values of an identity
 *    sequence at INSERT, so a writer that commits late has LOWER positions than events
 *    committed after it — exactly the hazard a global-log reader must survive.
 *  - Visibility.  Reads see committed events only.  read_all returns only events of
 *    transactions older than every transaction still open (PostgreSQL's
 *    pg_snapshot_xmin), ordered by (transaction id, position); see event_store_pg.c for
 *    why that never skips an event.
 *  - Conflicts.  (stream, version) is a unique key held by committed events and by those
 *    of open transactions, as a unique index holds them.  An append must take exactly
 *    versions v+1..v+n: v must be the stream's visible version, and v+1 must be free.
 *    Where PostgreSQL would make a writer wait for an open transaction holding v+1, this
 *    model refuses at once (SHOP_ECONFLICT).
 *  - Times.  recorded_at is the clock's reading when the append is made (PostgreSQL's
 *    statement_timestamp()), so all events of one append share it.
 *
 * Single-threaded: no locks.  Events live in one array in position order; rolled-back
 * events are removed (their positions stay unused: gaps, as in PostgreSQL).
 * Read next: infrastructure/postgres/event_store_pg.c
 */
#include "infrastructure/memory/event_store_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct open_transaction {
    uint64_t id;
};

struct stored_snapshot {
    char stream_id[ES_STREAM_ID_MAX + 1];
    struct es_snapshot s; /* s.data owned */
};

struct event_store_memory {
    struct event_store base;  /* first: the port */
    struct shop_clock *clock; /* borrowed; NULL: CLOCK_REALTIME */

    struct es_event *events; /* in global-position order; data owned */
    size_t event_count, event_cap;
    int64_t next_position;
    uint64_t next_transaction_id;

    struct open_transaction *open; /* the other writers' transactions still open */
    size_t open_count, open_cap;

    struct stored_snapshot *snapshots;
    size_t snapshot_count, snapshot_cap;
};

/* ------------------------------------------------------------------ the model */

static int64_t now_us(struct event_store_memory *s)
{
    if (s->clock)
        return shop_clock_now_us(s->clock);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct open_transaction *find_open(struct event_store_memory *s, uint64_t id)
{
    for (size_t i = 0; i < s->open_count; i++)
        if (s->open[i].id == id)
            return &s->open[i];
    return NULL;
}

/* Committed, or written by `reader` itself (0: a reader outside every open transaction). */
static bool visible_to(struct event_store_memory *s, const struct es_event *e, uint64_t reader)
{
    return e->transaction_id == reader || !find_open(s, e->transaction_id);
}

/* The stream's version as `reader` sees it. */
static int64_t visible_version(struct event_store_memory *s, const char *stream_id, uint64_t reader)
{
    int64_t v = 0;
    for (size_t i = 0; i < s->event_count; i++) {
        const struct es_event *e = &s->events[i];
        if (strcmp(e->stream_id, stream_id) == 0 && visible_to(s, e, reader) &&
            e->stream_version > v)
            v = e->stream_version;
    }
    return v;
}

/* Whether (stream, version) is held by any event, committed or not: the unique key. */
static bool key_taken(struct event_store_memory *s, const char *stream_id, int64_t version)
{
    for (size_t i = 0; i < s->event_count; i++)
        if (s->events[i].stream_version == version &&
            strcmp(s->events[i].stream_id, stream_id) == 0)
            return true;
    return false;
}

static int check_json(const char *text, const char *what, size_t index)
{
    cJSON *json = cJSON_ParseWithOpts(text, NULL, 1);
    bool object = cJSON_IsObject(json);
    cJSON_Delete(json);
    if (!object)
        return index ? shop_error_set(SHOP_EINVALID, "event %zu: %s is not a JSON object", index,
                                      what)
                     : shop_error_set(SHOP_EINVALID, "%s is not a JSON object", what);
    return 0;
}

/*
 * Appends in transaction `tx`, stamped at_us: the unique key and the predecessor
 * rule decide, as in PostgreSQL; nothing is written on refusal.
 */
static int append_in(struct event_store_memory *s, int64_t *out_version, uint64_t tx,
                     int64_t at_us, const char *stream_id, int64_t expected_version,
                     const struct es_new_event *events, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_json(events[i].data, "data", i + 1);
        if (rc < 0)
            return rc;
    }
    int64_t current = visible_version(s, stream_id, tx);
    int64_t base = expected_version == ES_EXPECT_ANY ? current : expected_version;
    if (base > current)
        return es_conflict(stream_id, expected_version, 1);
    if (key_taken(s, stream_id, base + 1)) {
        if (expected_version == ES_EXPECT_ANY)
            return shop_error_set(SHOP_ECONFLICT,
                                  "stream %s: another writer's open transaction holds version %lld",
                                  stream_id, (long long)(base + 1));
        return es_conflict(stream_id, expected_version, 0);
    }

    if (s->event_count + n > s->event_cap) {
        s->event_cap =
            s->event_count + n > 2 * s->event_cap ? s->event_count + n : 2 * s->event_cap;
        s->events = shop_xreallocarray(s->events, s->event_cap, sizeof *s->events);
    }
    for (size_t i = 0; i < n; i++) {
        struct es_event *e = &s->events[s->event_count++];
        memset(e, 0, sizeof *e);
        e->global_position = s->next_position++;
        strcpy(e->stream_id, stream_id); /* checked: at most ES_STREAM_ID_MAX */
        e->stream_version = base + 1 + (int64_t)i;
        strcpy(e->type, events[i].type);
        e->schema_version = events[i].schema_version;
        e->data = shop_xstrdup(events[i].data);
        e->meta = events[i].meta;
        e->recorded_at_us = at_us;
        e->transaction_id = tx;
    }
    if (out_version)
        *out_version = base + (int64_t)n;
    return 0;
}

static void put_snapshot(struct event_store_memory *s, const char *stream_id,
                         const struct es_snapshot *snapshot)
{
    struct stored_snapshot *slot = NULL;
    for (size_t i = 0; i < s->snapshot_count && !slot; i++)
        if (strcmp(s->snapshots[i].stream_id, stream_id) == 0)
            slot = &s->snapshots[i];
    if (!slot) {
        if (s->snapshot_count == s->snapshot_cap) {
            s->snapshot_cap = s->snapshot_cap ? 2 * s->snapshot_cap : 8;
            s->snapshots = shop_xreallocarray(s->snapshots, s->snapshot_cap, sizeof *s->snapshots);
        }
        slot = &s->snapshots[s->snapshot_count++];
        memset(slot, 0, sizeof *slot);
        strcpy(slot->stream_id, stream_id);
    } else if (slot->s.stream_version >= snapshot->stream_version) {
        return; /* never replace a newer snapshot with an older one */
    }
    es_snapshot_dispose(&slot->s);
    slot->s.stream_version = snapshot->stream_version;
    slot->s.schema_version = snapshot->schema_version;
    slot->s.data = shop_xstrdup(snapshot->data);
}

static void copy_event(struct es_event *to, const struct es_event *from)
{
    *to = *from;
    to->data = shop_xstrdup(from->data);
}

/* ------------------------------------------------------------------ the port */

static int memory_append(struct event_store *self, int64_t *out_version, const char *stream_id,
                         int64_t expected_version, const struct es_new_event *events, size_t n,
                         const struct es_snapshot *snapshot)
{
    struct event_store_memory *s = (struct event_store_memory *)self;
    int rc = es_check_append(stream_id, expected_version, events, n, snapshot);
    if (rc < 0)
        return rc;
    if (snapshot && (rc = check_json(snapshot->data, "snapshot data", 0)) < 0)
        return rc;

    /* A transaction of its own, committed at once. */
    uint64_t tx = s->next_transaction_id++;
    rc = append_in(s, out_version, tx, now_us(s), stream_id, expected_version, events, n);
    if (rc == 0 && snapshot)
        put_snapshot(s, stream_id, snapshot);
    return rc;
}

static bool in_range(struct event_store_memory *s, const struct es_event *e, const char *stream_id,
                     struct es_stream_range range)
{
    return strcmp(e->stream_id, stream_id) == 0 && visible_to(s, e, 0) &&
           e->stream_version >= range.from_version && e->stream_version <= range.to_version &&
           e->recorded_at_us <= range.until_us;
}

static int memory_read_stream(struct event_store *self, struct es_event_list *out,
                              const char *stream_id, struct es_stream_range range)
{
    struct event_store_memory *s = (struct event_store_memory *)self;
    int rc = es_check_read_stream(out, stream_id, range);
    if (rc < 0)
        return rc;

    /* Positions follow versions within a stream, so position order is version order. */
    size_t count = 0;
    for (size_t i = 0; i < s->event_count; i++)
        count += in_range(s, &s->events[i], stream_id, range);
    if (count == 0)
        return 0;
    out->items = shop_xcalloc(count, sizeof *out->items);
    for (size_t i = 0; i < s->event_count; i++)
        if (in_range(s, &s->events[i], stream_id, range))
            copy_event(&out->items[out->count++], &s->events[i]);
    return 0;
}

static int memory_load(struct event_store *self, struct es_snapshot *out_snapshot,
                       struct es_event_list *out_events, const char *stream_id,
                       int snapshot_schema_version)
{
    struct event_store_memory *s = (struct event_store_memory *)self;
    int rc = es_check_load(out_snapshot, out_events, stream_id, snapshot_schema_version);
    if (rc < 0)
        return rc;

    for (size_t i = 0; i < s->snapshot_count; i++) {
        const struct stored_snapshot *snap = &s->snapshots[i];
        if (strcmp(snap->stream_id, stream_id) == 0 &&
            snap->s.schema_version == snapshot_schema_version) {
            out_snapshot->stream_version = snap->s.stream_version;
            out_snapshot->schema_version = snap->s.schema_version;
            out_snapshot->data = shop_xstrdup(snap->s.data);
        }
    }
    struct es_stream_range after = {out_snapshot->stream_version + 1, ES_UNBOUNDED, ES_UNBOUNDED};
    return memory_read_stream(self, out_events, stream_id, after);
}

static int by_transaction_then_position(const void *a, const void *b)
{
    const struct es_event *x = *(const struct es_event *const *)a;
    const struct es_event *y = *(const struct es_event *const *)b;
    if (x->transaction_id != y->transaction_id)
        return x->transaction_id < y->transaction_id ? -1 : 1;
    return (x->global_position > y->global_position) - (x->global_position < y->global_position);
}

static int memory_read_all(struct event_store *self, struct es_event_list *out,
                           struct es_checkpoint after, size_t max_count)
{
    struct event_store_memory *s = (struct event_store_memory *)self;
    int rc = es_check_read_all(out, max_count);
    if (rc < 0)
        return rc;

    /* xmin: the oldest transaction still open, or the next id when none is. */
    uint64_t xmin = s->next_transaction_id;
    for (size_t i = 0; i < s->open_count; i++)
        if (s->open[i].id < xmin)
            xmin = s->open[i].id;

    const struct es_event **candidates = NULL;
    size_t count = 0;
    if (s->event_count > 0)
        candidates = shop_xreallocarray(NULL, s->event_count, sizeof *candidates);
    for (size_t i = 0; i < s->event_count; i++) {
        const struct es_event *e = &s->events[i];
        if (e->transaction_id >= xmin)
            continue;
        if (e->transaction_id < after.transaction_id ||
            (e->transaction_id == after.transaction_id &&
             e->global_position <= after.global_position))
            continue;
        candidates[count++] = e;
    }
    if (count > 0)
        qsort(candidates, count, sizeof *candidates, by_transaction_then_position);
    if (count > max_count)
        count = max_count;
    if (count > 0)
        out->items = shop_xcalloc(count, sizeof *out->items);
    for (size_t i = 0; i < count; i++)
        copy_event(&out->items[i], candidates[i]);
    out->count = count;
    free(candidates);
    return 0;
}

static void memory_free(struct event_store *self)
{
    struct event_store_memory *s = (struct event_store_memory *)self;
    for (size_t i = 0; i < s->event_count; i++)
        free(s->events[i].data);
    for (size_t i = 0; i < s->snapshot_count; i++)
        es_snapshot_dispose(&s->snapshots[i].s);
    free(s->events);
    free(s->snapshots);
    free(s->open);
    free(s);
}

int event_store_memory_new(struct event_store **out, struct shop_clock *clock)
{
    struct event_store_memory *s = shop_xcalloc(1, sizeof *s);
    s->base.version = EVENT_STORE_VERSION;
    s->base.append = memory_append;
    s->base.read_stream = memory_read_stream;
    s->base.load = memory_load;
    s->base.read_all = memory_read_all;
    s->base.free = memory_free;
    s->clock = clock;
    s->next_position = 1;
    s->next_transaction_id = 1;
    *out = &s->base;
    return 0;
}

/* ------------------------------------------------------------------ other writers */

int event_store_memory_open_other(struct event_store *store, uint64_t *out_transaction_id)
{
    struct event_store_memory *s = (struct event_store_memory *)store;
    if (s->open_count == s->open_cap) {
        s->open_cap = s->open_cap ? 2 * s->open_cap : 4;
        s->open = shop_xreallocarray(s->open, s->open_cap, sizeof *s->open);
    }
    struct open_transaction *t = &s->open[s->open_count++];
    t->id = s->next_transaction_id++;
    *out_transaction_id = t->id;
    return 0;
}

int event_store_memory_append_in(struct event_store *store, uint64_t transaction_id,
                                 const char *stream_id, int64_t expected_version,
                                 const struct es_new_event *events, size_t n)
{
    struct event_store_memory *s = (struct event_store_memory *)store;
    int rc = es_check_append(stream_id, expected_version, events, n, NULL);
    if (rc < 0)
        return rc;
    struct open_transaction *t = find_open(s, transaction_id);
    if (!t)
        return shop_error_set(SHOP_EINVALID, "transaction %llu is not open",
                              (unsigned long long)transaction_id);
    return append_in(s, NULL, t->id, now_us(s), stream_id, expected_version, events, n);
}

int event_store_memory_end(struct event_store *store, uint64_t transaction_id, int commit)
{
    struct event_store_memory *s = (struct event_store_memory *)store;
    struct open_transaction *t = find_open(s, transaction_id);
    if (!t)
        return shop_error_set(SHOP_EINVALID, "transaction %llu is not open",
                              (unsigned long long)transaction_id);
    *t = s->open[--s->open_count];
    if (commit)
        return 0;
    /* Rollback: its events go; the positions they took stay unused. */
    size_t kept = 0;
    for (size_t i = 0; i < s->event_count; i++) {
        if (s->events[i].transaction_id == transaction_id)
            free(s->events[i].data);
        else
            s->events[kept++] = s->events[i];
    }
    s->event_count = kept;
    return 0;
}
