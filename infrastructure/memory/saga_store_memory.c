/*
 * infrastructure/memory/saga_store_memory.c — see saga_store_memory.h.
 *
 * Two growing arrays: one row per order (the saga and its version) and the queued
 * commands.  save() checks the version before it touches either, so a refused save
 * leaves both as they were, as the one statement of the PostgreSQL store does.  Scans,
 * not indexes: the twin is for tests, not for volume.
 */
#include "infrastructure/memory/saga_store_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>
#include <string.h>

struct saga_row {
    fulfilment_saga saga;
    int64_t version;
};

struct saga_store_memory {
    struct saga_store base; /* first: the port */
    struct saga_row *rows;
    size_t count, cap;
    struct saga_store_memory_command *queued;
    size_t queued_count, queued_cap;
};

static struct saga_row *find(struct saga_store_memory *m, const order_id *id)
{
    for (size_t i = 0; i < m->count; i++)
        if (uuid_equal(m->rows[i].saga.order.uuid, id->uuid))
            return &m->rows[i];
    return NULL;
}

static int memory_load(struct saga_store *self, fulfilment_saga *out, int64_t *out_version,
                       const order_id *id)
{
    struct saga_row *row = find((struct saga_store_memory *)self, id);
    if (!row) {
        memset(out, 0, sizeof *out);
        out->order = *id;
        out->state = SAGA_NONE;
        *out_version = 0;
        return 0;
    }
    *out = row->saga;
    *out_version = row->version;
    return 0;
}

static int memory_save(struct saga_store *self, const fulfilment_saga *saga,
                       int64_t expected_version, const struct saga_command *commands, size_t n,
                       const struct message_meta *cause)
{
    struct saga_store_memory *m = (struct saga_store_memory *)self;
    char text[UUID_STRING_SIZE];
    struct saga_row *row = find(m, &saga->order);
    int64_t version = row ? row->version : 0;

    if (version != expected_version)
        return shop_error_set(SHOP_ECONFLICT, "the saga of order %s is at version %lld, not %lld",
                              uuid_format(text, saga->order.uuid), (long long)version,
                              (long long)expected_version);
    if (!row) {
        if (m->count == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 8;
            m->rows = shop_xreallocarray(m->rows, m->cap, sizeof *m->rows);
        }
        row = &m->rows[m->count++];
    }
    row->saga = *saga;
    row->version = version + 1;

    for (size_t i = 0; i < n; i++) {
        if (m->queued_count == m->queued_cap) {
            m->queued_cap = m->queued_cap ? 2 * m->queued_cap : 16;
            m->queued = shop_xreallocarray(m->queued, m->queued_cap, sizeof *m->queued);
        }
        struct saga_store_memory_command *q = &m->queued[m->queued_count++];
        memset(q, 0, sizeof *q);
        q->command = commands[i];
        q->order = saga->order;
        q->meta.message_id =
            saga_command_message_id(saga->order, commands[i].type, commands[i].attempt);
        if (cause) {
            q->meta.correlation_id = cause->correlation_id;
            q->meta.causation_id = cause->message_id;
            memcpy(q->meta.traceparent, cause->traceparent, sizeof q->meta.traceparent);
        }
    }
    return 0;
}

/* Waiting sagas by deadline, oldest first (insertion sort: few rows). */
static int memory_due(struct saga_store *self, order_id *out, size_t max, size_t *out_count,
                      int64_t now_us)
{
    struct saga_store_memory *m = (struct saga_store_memory *)self;
    size_t n = 0;
    const struct saga_row **due = shop_xcalloc(m->count + 1, sizeof *due);

    for (size_t i = 0; i < m->count; i++) {
        const struct saga_row *r = &m->rows[i];
        if (r->saga.state == SAGA_STUCK || saga_state_is_final(r->saga.state) ||
            r->saga.deadline_us == 0 || r->saga.deadline_us > now_us)
            continue;
        size_t j = n++;
        while (j > 0 && due[j - 1]->saga.deadline_us > r->saga.deadline_us) {
            due[j] = due[j - 1];
            j--;
        }
        due[j] = r;
    }
    *out_count = n < max ? n : max;
    for (size_t i = 0; i < *out_count; i++)
        out[i] = due[i]->saga.order;
    free(due);
    return 0;
}

/* Newest first: the latest updated_at; the saga saved last among equals. */
static int memory_list(struct saga_store *self, struct saga_summary **out, size_t *out_count,
                       enum saga_state state)
{
    struct saga_store_memory *m = (struct saga_store_memory *)self;
    struct saga_summary *list = shop_xcalloc(m->count + 1, sizeof *list);
    size_t n = 0;

    for (size_t i = 0; i < m->count; i++) {
        const struct saga_row *r = &m->rows[i];
        if (state != SAGA_NONE && r->saga.state != state)
            continue;
        struct saga_summary s = {
            .order = r->saga.order,
            .state = r->saga.state,
            .deadline_us = r->saga.deadline_us,
            .updated_at_us = r->saga.updated_at_us,
            .version = r->version,
        };
        memcpy(s.reason, r->saga.reason, sizeof s.reason);
        size_t j = n++;
        while (j > 0 && list[j - 1].updated_at_us < s.updated_at_us) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = s;
    }
    *out = list;
    *out_count = n;
    return 0;
}

static void memory_free(struct saga_store *self)
{
    struct saga_store_memory *m = (struct saga_store_memory *)self;
    free(m->rows);
    free(m->queued);
    free(m);
}

int saga_store_memory_new(struct saga_store **out)
{
    struct saga_store_memory *m = shop_xcalloc(1, sizeof *m);
    m->base = (struct saga_store){
        .version = SAGA_STORE_VERSION,
        .load = memory_load,
        .save = memory_save,
        .due = memory_due,
        .list = memory_list,
        .free = memory_free,
    };
    *out = &m->base;
    return 0;
}

const struct saga_store_memory_command *saga_store_memory_queued(struct saga_store *store,
                                                                 size_t *out_count)
{
    struct saga_store_memory *m = (struct saga_store_memory *)store;
    *out_count = m->queued_count;
    return m->queued;
}
