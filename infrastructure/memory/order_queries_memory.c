/*
 * infrastructure/memory/order_queries_memory.c — see order_queries_memory.h.
 */
#include "infrastructure/memory/order_queries_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>
#include <string.h>

#define ORDER_STREAM_PREFIX "order-"
#define PAGE                500

struct order_queries_memory {
    struct order_queries base; /* first */
    struct event_store *events;
};

static int memory_newest(struct order_queries *self, order_id *out, size_t max, size_t *out_count)
{
    struct order_queries_memory *q = (struct order_queries_memory *)self;
    struct es_checkpoint at = {0, 0};
    order_id *all = NULL; /* every order, oldest first */
    size_t count = 0, cap = 0;
    int rc = 0;

    *out_count = 0;
    if (max == 0)
        return shop_error_set(SHOP_EINVALID, "a list of orders needs room for one at least");
    for (;;) {
        struct es_event_list page = {0};
        if ((rc = es_read_all(q->events, &page, at, PAGE)) < 0)
            goto done;
        for (size_t i = 0; i < page.count; i++) {
            const struct es_event *e = &page.items[i];
            order_id id;
            if (e->stream_version != 1 || strcmp(e->type, "OrderPlaced") != 0 ||
                strncmp(e->stream_id, ORDER_STREAM_PREFIX, strlen(ORDER_STREAM_PREFIX)) != 0 ||
                order_id_parse(&id, e->stream_id + strlen(ORDER_STREAM_PREFIX)) < 0)
                continue;
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                all = shop_xreallocarray(all, cap, sizeof *all);
            }
            all[count++] = id;
        }
        size_t n = page.count;
        if (n > 0)
            at = (struct es_checkpoint){page.items[n - 1].transaction_id,
                                        page.items[n - 1].global_position};
        es_event_list_dispose(&page);
        if (n < PAGE)
            break;
    }
    for (size_t i = 0; i < count && i < max; i++)
        out[i] = all[count - 1 - i];
    *out_count = count < max ? count : max;
    shop_error_clear();

done:
    free(all);
    return rc;
}

static void memory_free(struct order_queries *self)
{
    free(self);
}

int order_queries_memory_new(struct order_queries **out, struct event_store *events)
{
    struct order_queries_memory *q = shop_xcalloc(1, sizeof *q);
    q->base.version = ORDER_QUERIES_VERSION;
    q->base.newest = memory_newest;
    q->base.free = memory_free;
    q->events = events;
    *out = &q->base;
    return 0;
}
