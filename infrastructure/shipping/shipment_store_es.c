/*
 * infrastructure/shipping/shipment_store_es.c — the shipment-store port on an event store
 * (repository of an event-sourced aggregate; infrastructure/ordering/order_store_es.c
 * without the snapshots).
 *
 * load() reads the whole stream and folds it: every event must be the next version,
 * decode, and be of this shipment, or the load fails with SHOP_EINTERNAL naming the
 * stream and version — a state built from events it could not read would be a lie.
 * The adapter remembers nothing between calls.  Not thread-safe: one per thread, like
 * the event store beneath it.
 * Read next: application/shipping/shipping_service.c, tests/contract/shipment_store_contract.c
 */
#include "infrastructure/shipping/shipment_store_es.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/shipping/shipment_codec.h"

#include <stdlib.h>
#include <string.h>

struct shipment_store_es {
    struct shipment_store base; /* first: the port */
    struct event_store *events; /* borrowed */
};

/* One stored event folded into the shipment being loaded (es_fold_stream's apply). */
struct shipment_fold {
    shipment *state;
    const shipment_id *id;
};

static int apply_shipment_event(void *arg, const struct es_event *e)
{
    struct shipment_fold *f = arg;
    shipment_event event;
    int rc = shipment_event_decode(&event, e->type, e->schema_version, e->data);
    if (rc < 0)
        return rc;
    if (!uuid_equal(event.id.order_id, f->id->order_id))
        return shop_error_set(SHOP_EINTERNAL, "the event is of another shipment");
    shipment_evolve(f->state, &event);
    return 0;
}

static int es_shipment_load(struct shipment_store *self, shipment *out, int64_t *out_version,
                            const shipment_id *id)
{
    struct shipment_store_es *s = (struct shipment_store_es *)self;
    char stream[SHIPMENT_STREAM_ID_SIZE];
    struct shipment_fold fold = {.state = out, .id = id};

    shipment_init(out);
    shipment_stream_id(stream, *id);
    int rc = es_fold_stream(out_version, s->events, stream, apply_shipment_event, &fold);
    if (rc < 0)
        shipment_init(out);
    return rc;
}

static int es_shipment_append(struct shipment_store *self, const shipment_id *id,
                              int64_t expected_version, const shipment_event *events, size_t n,
                              const struct message_meta *meta)
{
    struct shipment_store_es *s = (struct shipment_store_es *)self;
    static const struct message_meta no_meta = {0};
    char stream[SHIPMENT_STREAM_ID_SIZE];
    struct es_new_event *records = NULL;
    char **texts = NULL;
    int rc = 0;

    if (n == 0 || !events)
        return shop_error_set(SHOP_EINVALID, "an append needs at least one event");
    shipment_stream_id(stream, *id);
    records = shop_xcalloc(n, sizeof *records);
    texts = shop_xcalloc(n, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        if (!uuid_equal(events[i].id.order_id, id->order_id)) {
            rc = shop_error_set(SHOP_EINVALID, "event %zu is of another shipment than %s", i + 1,
                                stream);
            goto done;
        }
        rc = shipment_event_encode(&texts[i], &records[i].type, &records[i].schema_version,
                                   &events[i]);
        if (rc < 0)
            goto done;
        records[i].data = texts[i];
        records[i].meta = meta ? *meta : no_meta;
    }
    rc = es_append(s->events, NULL, stream, expected_version, records, n, NULL);

done:
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(records);
    return rc;
}

static void es_shipment_free(struct shipment_store *self)
{
    free(self);
}

int shipment_store_es_new(struct shipment_store **out, struct event_store *events)
{
    *out = NULL;
    if (!events)
        return shop_error_set(SHOP_EINVALID, "a shipment store needs an event store");
    struct shipment_store_es *s = shop_xcalloc(1, sizeof *s);
    s->base = (struct shipment_store){SHIPMENT_STORE_VERSION, es_shipment_load, es_shipment_append,
                                      es_shipment_free};
    s->events = events;
    *out = &s->base;
    return 0;
}
