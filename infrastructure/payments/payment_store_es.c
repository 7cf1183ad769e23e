/*
 * infrastructure/payments/payment_store_es.c — the payment-store port on an event store
 * (repository of an event-sourced aggregate), as infrastructure/ordering/order_store_es.c
 * without snapshots.
 *
 * Stored data this code cannot read, a version out of sequence or an event of another
 * payment in the stream is SHOP_EINTERNAL naming the stream and version: the store never
 * folds what it does not understand into a state a decision will be taken on.
 * Not thread-safe: one adapter per thread, like the event store beneath it.
 * Read next: application/payments/payment_service.c, tests/contract/payment_store_contract.c
 */
#include "infrastructure/payments/payment_store_es.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/payments/payment_codec.h"

#include <stdlib.h>
#include <string.h>

struct payment_store_es {
    struct payment_store base;  /* first: the port */
    struct event_store *events; /* borrowed */
};

/* One stored event folded into the payment being loaded (es_fold_stream's apply). */
struct payment_fold {
    payment *state;
    const payment_id *id;
};

static int apply_payment_event(void *arg, const struct es_event *e)
{
    struct payment_fold *f = arg;
    payment_event event;
    int rc = payment_event_decode(&event, e->type, e->schema_version, e->data);
    if (rc < 0)
        return rc;
    if (!uuid_equal(event.payment_id.uuid, f->id->uuid))
        return shop_error_set(SHOP_EINTERNAL, "the event is of another payment");
    payment_evolve(f->state, &event);
    return 0;
}

static int es_payment_load(struct payment_store *self, payment *out, int64_t *out_version,
                           const payment_id *id)
{
    struct payment_store_es *s = (struct payment_store_es *)self;
    char stream[PAYMENT_STREAM_ID_SIZE];
    struct payment_fold fold = {.state = out, .id = id};

    payment_init(out);
    payment_stream_id(stream, *id);
    int rc = es_fold_stream(out_version, s->events, stream, apply_payment_event, &fold);
    if (rc < 0)
        payment_init(out);
    return rc;
}

static int es_payment_append(struct payment_store *self, const payment_id *id,
                             int64_t expected_version, const payment_event *events, size_t n,
                             const struct message_meta *meta)
{
    struct payment_store_es *s = (struct payment_store_es *)self;
    static const struct message_meta no_meta = {0};
    char stream[PAYMENT_STREAM_ID_SIZE];
    struct es_new_event *records = NULL;
    char **texts = NULL;
    int rc = 0;

    if (n == 0 || !events)
        return shop_error_set(SHOP_EINVALID, "an append needs at least one event");
    payment_stream_id(stream, *id);
    records = shop_xcalloc(n, sizeof *records);
    texts = shop_xcalloc(n, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        if (!uuid_equal(events[i].payment_id.uuid, id->uuid)) {
            rc = shop_error_set(SHOP_EINVALID, "event %zu is of another payment than %s", i + 1,
                                stream);
            goto done;
        }
        rc = payment_event_encode(&texts[i], &records[i].type, &records[i].schema_version,
                                  &events[i]);
        if (rc < 0)
            goto done;
        records[i].data = texts[i];
        records[i].meta = meta ? *meta : no_meta;
    }
    rc = es_append(s->events, NULL, stream, expected_version, records, n, NULL);

done:
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(records);
    return rc;
}

static void es_payment_free(struct payment_store *self)
{
    free(self);
}

int payment_store_es_new(struct payment_store **out, struct event_store *events)
{
    *out = NULL;
    if (!events)
        return shop_error_set(SHOP_EINVALID, "a payment store needs an event store");
    struct payment_store_es *s = shop_xcalloc(1, sizeof *s);
    s->base = (struct payment_store){.version = PAYMENT_STORE_VERSION,
                                     .load = es_payment_load,
                                     .append = es_payment_append,
                                     .free = es_payment_free};
    s->events = events;
    *out = &s->base;
    return 0;
}
