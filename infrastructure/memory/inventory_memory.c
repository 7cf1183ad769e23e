/*
 * infrastructure/memory/inventory_memory.c — Inventory's in-memory twins (stock items,
 * reservations, unit of work) over one store.
 *
 * Rows are kept in two growing arrays with their versions.  begin() copies both arrays
 * aside; rollback() puts the copy back, commit() drops it: a unit of work is all or
 * nothing, as PostgreSQL's transaction is.  Outside a unit of work each save stands alone.
 * Read next: tests/contract/inventory_store_memory_fixture.c
 */
#include "infrastructure/memory/inventory_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct stock_row {
    stock_item item;
    int64_t version;
};

struct reservation_row {
    reservation r;
    int64_t version;
};

struct rows {
    struct stock_row *stock;
    size_t stock_count;
    struct reservation_row *reservations;
    size_t reservation_count;
};

struct stock_port {
    struct stock_repository base; /* first */
    struct inventory_memory *m;
};

struct reservation_port {
    struct reservation_repository base; /* first */
    struct inventory_memory *m;
};

struct uow_port {
    struct unit_of_work base; /* first */
    struct inventory_memory *m;
};

struct inventory_memory {
    struct rows now;
    struct rows saved; /* the copy begin() made */
    bool in_unit;
    struct stock_port stock;
    struct reservation_port reservations;
    struct uow_port uow;
};

static void rows_copy(struct rows *out, const struct rows *from)
{
    out->stock = shop_xreallocarray(NULL, from->stock_count + 1, sizeof *out->stock);
    if (from->stock_count) /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(out->stock, from->stock, from->stock_count * sizeof *out->stock);
    out->stock_count = from->stock_count;
    out->reservations =
        shop_xreallocarray(NULL, from->reservation_count + 1, sizeof *out->reservations);
    if (from->reservation_count)
        memcpy(out->reservations, from->reservations,
               from->reservation_count * sizeof *out->reservations);
    out->reservation_count = from->reservation_count;
}

static void rows_dispose(struct rows *r)
{
    free(r->stock);
    free(r->reservations);
    memset(r, 0, sizeof *r);
}

/* ---- stock ---- */

static struct stock_row *find_stock(struct inventory_memory *m, const sku *s)
{
    for (size_t i = 0; i < m->now.stock_count; i++)
        if (sku_equal(&m->now.stock[i].item.sku, s))
            return &m->now.stock[i];
    return NULL;
}

static int stock_load(struct stock_repository *self, stock_item *out, int64_t *out_version,
                      const sku *s)
{
    struct stock_row *row = find_stock(((struct stock_port *)self)->m, s);
    stock_item_init(out, s);
    *out_version = 0;
    if (row) {
        *out = row->item;
        *out_version = row->version;
    }
    return 0;
}

static int stale(const char *what, const char *key, int64_t expected)
{
    return shop_error_set(SHOP_ECONFLICT, "%s %s is no longer at version %lld", what, key,
                          (long long)expected);
}

static int stock_save(struct stock_repository *self, const stock_item *item,
                      int64_t expected_version)
{
    struct inventory_memory *m = ((struct stock_port *)self)->m;
    struct stock_row *row = find_stock(m, &item->sku);
    if (item->reserved < 0 || item->on_hand < item->reserved)
        return shop_error_set(SHOP_EREFUSED,
                              "SKU %s: on hand %lld, reserved %lld breaks "
                              "0 <= reserved <= on hand",
                              item->sku.code, (long long)item->on_hand, (long long)item->reserved);
    if ((row ? row->version : 0) != expected_version)
        return stale("the stock of SKU", item->sku.code, expected_version);
    if (!row) {
        m->now.stock = shop_xreallocarray(m->now.stock, m->now.stock_count + 1, sizeof *row);
        row = &m->now.stock[m->now.stock_count++];
    }
    row->item = *item;
    row->version = expected_version + 1;
    return 0;
}

static int compare_items(const void *a, const void *b)
{
    return sku_compare(&((const stock_item *)a)->sku, &((const stock_item *)b)->sku);
}

static int stock_list(struct stock_repository *self, stock_item **out, size_t *out_count)
{
    struct inventory_memory *m = ((struct stock_port *)self)->m;
    *out = shop_xreallocarray(NULL, m->now.stock_count + 1, sizeof **out);
    for (size_t i = 0; i < m->now.stock_count; i++)
        (*out)[i] = m->now.stock[i].item;
    qsort(*out, m->now.stock_count, sizeof **out, compare_items);
    *out_count = m->now.stock_count;
    return 0;
}

/* ---- reservations ---- */

static struct reservation_row *find_reservation(struct inventory_memory *m, shop_uuid id)
{
    for (size_t i = 0; i < m->now.reservation_count; i++)
        if (uuid_equal(m->now.reservations[i].r.order_id, id))
            return &m->now.reservations[i];
    return NULL;
}

static int reservation_load(struct reservation_repository *self, reservation *out,
                            int64_t *out_version, shop_uuid order_id)
{
    struct reservation_row *row = find_reservation(((struct reservation_port *)self)->m, order_id);
    reservation_init(out, order_id);
    *out_version = 0;
    if (row) {
        *out = row->r;
        *out_version = row->version;
    }
    return 0;
}

static int reservation_save(struct reservation_repository *self, const reservation *r,
                            int64_t expected_version)
{
    struct inventory_memory *m = ((struct reservation_port *)self)->m;
    struct reservation_row *row = find_reservation(m, r->order_id);
    char id[UUID_STRING_SIZE];
    if (r->status == RESERVATION_STATUS_NONE || r->line_count == 0 ||
        r->line_count > RESERVATION_MAX_LINES)
        return shop_error_set(SHOP_EINVALID, "a reservation is saved with a status and 1-%d lines",
                              RESERVATION_MAX_LINES);
    if ((row ? row->version : 0) != expected_version)
        return stale("the reservation for order", uuid_format(id, r->order_id), expected_version);
    if (!row) {
        m->now.reservations =
            shop_xreallocarray(m->now.reservations, m->now.reservation_count + 1, sizeof *row);
        row = &m->now.reservations[m->now.reservation_count++];
    }
    row->r = *r;
    row->version = expected_version + 1;
    return 0;
}

/* ---- the unit of work ---- */

static int uow_begin(struct unit_of_work *self)
{
    struct inventory_memory *m = ((struct uow_port *)self)->m;
    if (m->in_unit)
        return shop_error_set(SHOP_EINTERNAL, "a unit of work is already open");
    rows_copy(&m->saved, &m->now);
    m->in_unit = true;
    return 0;
}

static int uow_commit(struct unit_of_work *self)
{
    struct inventory_memory *m = ((struct uow_port *)self)->m;
    if (!m->in_unit)
        return shop_error_set(SHOP_EINTERNAL, "no unit of work to commit");
    rows_dispose(&m->saved);
    m->in_unit = false;
    return 0;
}

static void uow_rollback(struct unit_of_work *self)
{
    struct inventory_memory *m = ((struct uow_port *)self)->m;
    if (!m->in_unit)
        return;
    rows_dispose(&m->now);
    m->now = m->saved;
    memset(&m->saved, 0, sizeof m->saved);
    m->in_unit = false;
}

static void port_free(void *self)
{
    (void)self; /* the ports live inside the store */
}

static void stock_free(struct stock_repository *self)
{
    port_free(self);
}

static void reservations_free(struct reservation_repository *self)
{
    port_free(self);
}

static void uow_free(struct unit_of_work *self)
{
    port_free(self);
}

int inventory_memory_new(struct inventory_memory **out)
{
    struct inventory_memory *m = shop_xcalloc(1, sizeof *m);
    m->stock = (struct stock_port){
        {STOCK_REPOSITORY_VERSION, stock_load, stock_save, stock_list, stock_free}, m};
    m->reservations = (struct reservation_port){
        {RESERVATION_REPOSITORY_VERSION, reservation_load, reservation_save, reservations_free}, m};
    m->uow =
        (struct uow_port){{UNIT_OF_WORK_VERSION, uow_begin, uow_commit, uow_rollback, uow_free}, m};
    *out = m;
    return 0;
}

void inventory_memory_free(struct inventory_memory *m)
{
    if (!m)
        return;
    rows_dispose(&m->now);
    rows_dispose(&m->saved);
    free(m);
}

struct stock_repository *inventory_memory_stock(struct inventory_memory *m)
{
    return &m->stock.base;
}

struct reservation_repository *inventory_memory_reservations(struct inventory_memory *m)
{
    return &m->reservations.base;
}

struct unit_of_work *inventory_memory_unit_of_work(struct inventory_memory *m)
{
    return &m->uow.base;
}
