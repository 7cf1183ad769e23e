/*
 * infrastructure/memory/product_repository_memory.c — see product_repository_memory.h.
 *
 * The rows are kept sorted by SKU, so list() is a copy and load() a binary search; the
 * optimistic check is the same comparison the SQL makes: the stored version must be the
 * expected one (0: no row yet).  A save translates its events first (the one step that
 * can fail) and only then changes the row and appends to the outbox: both or neither.
 */
#include "infrastructure/memory/product_repository_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/catalog/catalog_messages.h"

#include <stdlib.h>
#include <string.h>

struct product_row {
    product state;
    int64_t version; /* >= 1 */
};

struct product_repository_memory {
    struct product_repository base; /* first: the port */
    struct product_row *rows;       /* sorted by SKU */
    size_t count, cap;
    struct outgoing_message *outbox;
    size_t outbox_count, outbox_cap;
};

/* The index of the row of s, or where it would go; *found says which. */
static size_t find(const struct product_repository_memory *r, const sku *s, int *found)
{
    size_t lo = 0, hi = r->count;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = sku_compare(&r->rows[mid].state.sku, s);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int memory_load(struct product_repository *self, product *out, int64_t *out_version,
                       const sku *s)
{
    struct product_repository_memory *r = (struct product_repository_memory *)self;
    int found;
    size_t i = find(r, s, &found);

    product_init(out);
    *out_version = 0;
    if (found) {
        *out = r->rows[i].state;
        *out_version = r->rows[i].version;
    }
    return 0;
}

static int memory_list(struct product_repository *self, struct product_list *out)
{
    struct product_repository_memory *r = (struct product_repository_memory *)self;

    out->items = NULL;
    out->count = 0;
    if (r->count == 0)
        return 0;
    out->items = shop_xcalloc(r->count, sizeof *out->items);
    for (size_t i = 0; i < r->count; i++)
        out->items[i] = r->rows[i].state;
    out->count = r->count;
    return 0;
}

static int memory_save(struct product_repository *self, const product *state,
                       int64_t expected_version, const product_event *events, size_t n,
                       const struct message_meta *meta)
{
    struct product_repository_memory *r = (struct product_repository_memory *)self;
    struct outgoing_message messages[PRODUCT_MAX_DECIDED_EVENTS];
    int found;
    size_t i = find(r, &state->sku, &found);
    int64_t stored = found ? r->rows[i].version : 0;
    int rc;

    if (n == 0)
        return 0;
    if (!state->exists)
        return shop_error_set(SHOP_EINVALID, "cannot save product %s: it does not exist",
                              state->sku.code);
    if (n > PRODUCT_MAX_DECIDED_EVENTS || !meta || uuid_is_nil(meta->message_id))
        return shop_error_set(SHOP_EINVALID,
                              "cannot save product %s: a save publishes at most %d event, "
                              "with a message id",
                              state->sku.code, PRODUCT_MAX_DECIDED_EVENTS);
    if (stored != expected_version)
        return shop_error_set(SHOP_ECONFLICT,
                              "product %s is no longer at version %lld: another writer saved it "
                              "first",
                              state->sku.code, (long long)expected_version);
    for (size_t e = 0; e < n; e++)
        if ((rc = catalog_message_from_event(&messages[e], &events[e], expected_version + 1,
                                             meta)) < 0) {
            while (e-- > 0)
                outgoing_message_dispose(&messages[e]);
            return rc;
        }

    if (!found) {
        if (r->count == r->cap)
            r->rows =
                shop_xreallocarray(r->rows, r->cap = r->cap ? 2 * r->cap : 16, sizeof *r->rows);
        memmove(&r->rows[i + 1], &r->rows[i], (r->count - i) * sizeof *r->rows);
        r->count++;
    }
    r->rows[i].state = *state;
    r->rows[i].version = expected_version + 1;
    for (size_t e = 0; e < n; e++) {
        if (r->outbox_count == r->outbox_cap)
            r->outbox = shop_xreallocarray(r->outbox,
                                           r->outbox_cap = r->outbox_cap ? 2 * r->outbox_cap : 16,
                                           sizeof *r->outbox);
        r->outbox[r->outbox_count++] = messages[e]; /* takes the payload */
    }
    return 0;
}

static void memory_free(struct product_repository *self)
{
    struct product_repository_memory *r = (struct product_repository_memory *)self;
    for (size_t i = 0; i < r->outbox_count; i++)
        outgoing_message_dispose(&r->outbox[i]);
    free(r->outbox);
    free(r->rows);
    free(r);
}

void product_repository_memory_outbox(struct product_repository *repository,
                                      const struct outgoing_message **out, size_t *count)
{
    struct product_repository_memory *r = (struct product_repository_memory *)repository;
    *out = r->outbox;
    *count = r->outbox_count;
}

int product_repository_memory_new(struct product_repository **out)
{
    struct product_repository_memory *r = shop_xcalloc(1, sizeof *r);
    r->base.version = PRODUCT_REPOSITORY_VERSION;
    r->base.load = memory_load;
    r->base.list = memory_list;
    r->base.save = memory_save;
    r->base.free = memory_free;
    *out = &r->base;
    return 0;
}
