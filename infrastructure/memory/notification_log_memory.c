/*
 * infrastructure/memory/notification_log_memory.c — see notification_log_memory.h.
 *
 * Two growing arrays: notifications in the order they were recorded (so the newest are
 * at the end, and list() walks backwards), and (order, customer) pairs.  The unique
 * message id of the SQL table is a scan here: the twin is for tests, not for volume.
 */
#include "infrastructure/memory/notification_log_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>
#include <string.h>

struct order_customer {
    shop_uuid order_id;
    customer_id customer;
};

struct notification_log_memory {
    struct notification_log base; /* first: the port */
    struct shop_clock *clock;     /* borrowed */
    struct notification_entry *entries;
    size_t count, cap;
    struct order_customer *customers;
    size_t customer_count, customer_cap;
};

static int memory_record(struct notification_log *self, bool *out_recorded, const notification *n,
                         const struct message_meta *meta)
{
    struct notification_log_memory *l = (struct notification_log_memory *)self;

    if (out_recorded)
        *out_recorded = false;
    for (size_t i = 0; i < l->count; i++)
        if (uuid_equal(l->entries[i].message_id, meta->message_id))
            return 0;
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->entries = shop_xrealloc(l->entries, l->cap * sizeof *l->entries);
    }
    l->entries[l->count] = (struct notification_entry){
        .id = (int64_t)l->count + 1,
        .n = *n,
        .message_id = meta->message_id,
        .correlation_id = meta->correlation_id,
        .recorded_at_us = shop_clock_now_us(l->clock),
    };
    l->count++;
    if (out_recorded)
        *out_recorded = true;
    return 0;
}

static int memory_remember_customer(struct notification_log *self, shop_uuid order_id,
                                    const customer_id *customer)
{
    struct notification_log_memory *l = (struct notification_log_memory *)self;

    for (size_t i = 0; i < l->customer_count; i++)
        if (uuid_equal(l->customers[i].order_id, order_id))
            return 0;
    if (l->customer_count == l->customer_cap) {
        l->customer_cap = l->customer_cap ? 2 * l->customer_cap : 16;
        l->customers = shop_xrealloc(l->customers, l->customer_cap * sizeof *l->customers);
    }
    l->customers[l->customer_count++] = (struct order_customer){order_id, *customer};
    return 0;
}

static int memory_customer_of(struct notification_log *self, customer_id *out, shop_uuid order_id)
{
    struct notification_log_memory *l = (struct notification_log_memory *)self;
    char order[UUID_STRING_SIZE];

    for (size_t i = 0; i < l->customer_count; i++)
        if (uuid_equal(l->customers[i].order_id, order_id)) {
            *out = l->customers[i].customer;
            return 0;
        }
    return shop_error_set(SHOP_ENOTFOUND, "the customer of order %s is not known",
                          uuid_format(order, order_id));
}

static int memory_list(struct notification_log *self, struct notification_list *out,
                       const struct notification_filter *f)
{
    struct notification_log_memory *l = (struct notification_log_memory *)self;

    out->items = NULL;
    out->count = 0;
    for (size_t i = l->count; i-- > 0 && out->count < f->limit;) {
        const struct notification_entry *e = &l->entries[i];
        if (f->customer && !customer_id_equal(&e->n.customer, f->customer))
            continue;
        if (f->order_id && !uuid_equal(e->n.order_id, *f->order_id))
            continue;
        if (!out->items)
            out->items =
                shop_xcalloc(f->limit < l->count ? f->limit : l->count, sizeof *out->items);
        out->items[out->count++] = *e;
    }
    return 0;
}

static void memory_free(struct notification_log *self)
{
    struct notification_log_memory *l = (struct notification_log_memory *)self;
    free(l->entries);
    free(l->customers);
    free(l);
}

int notification_log_memory_new(struct notification_log **out, struct shop_clock *clock)
{
    struct notification_log_memory *l = shop_xcalloc(1, sizeof *l);
    l->base = (struct notification_log){.version = NOTIFICATION_LOG_VERSION,
                                        .record = memory_record,
                                        .remember_customer = memory_remember_customer,
                                        .customer_of = memory_customer_of,
                                        .list = memory_list,
                                        .free = memory_free};
    l->clock = clock;
    *out = &l->base;
    return 0;
}
