/*
 * infrastructure/memory/price_list_memory.c — see price_list_memory.h.
 */
#include "infrastructure/memory/price_list_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>

struct price_entry {
    sku sku;
    money unit_price;
};

struct price_list_memory {
    struct price_list base; /* first: the port */
    struct price_entry *entries;
    size_t count, cap;
};

static struct price_entry *find(struct price_list_memory *p, const sku *product)
{
    for (size_t i = 0; i < p->count; i++)
        if (sku_equal(&p->entries[i].sku, product))
            return &p->entries[i];
    return NULL;
}

static int memory_price_of(struct price_list *self, money *out, const sku *product)
{
    const struct price_entry *e = find((struct price_list_memory *)self, product);
    if (!e)
        return shop_error_set(SHOP_ENOTFOUND, "unknown SKU %s", product->code);
    *out = e->unit_price;
    return 0;
}

void price_list_memory_set(struct price_list *list, const sku *product, money unit_price)
{
    struct price_list_memory *p = (struct price_list_memory *)list;
    struct price_entry *e = find(p, product);
    if (!e) {
        if (p->count == p->cap)
            p->entries = shop_xreallocarray(p->entries, p->cap = p->cap ? 2 * p->cap : 16,
                                            sizeof *p->entries);
        e = &p->entries[p->count++];
        e->sku = *product;
    }
    e->unit_price = unit_price;
}

static void memory_free(struct price_list *self)
{
    struct price_list_memory *p = (struct price_list_memory *)self;
    free(p->entries);
    free(p);
}

int price_list_memory_new(struct price_list **out)
{
    struct price_list_memory *p = shop_xcalloc(1, sizeof *p);
    p->base.version = PRICE_LIST_VERSION;
    p->base.price_of = memory_price_of;
    p->base.free = memory_free;
    *out = &p->base;
    return 0;
}
