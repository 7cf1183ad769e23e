/*
 * application/inventory/inventory_service.c — Inventory's handlers (application service).
 *
 * Pattern: the application service of aggregates kept as versioned state rows.  Each
 * command is one attempt function run by retry(): a unit of work in which it loads what
 * the decision needs, decides, evolves each loaded row with the event and saves it at the
 * version it loaded.  Any save that finds a newer version is SHOP_ECONFLICT: the unit of
 * work is rolled back and the attempt starts again from the load, at most max_attempts
 * times (optimistic concurrency: no lock is held while deciding, and no update is lost).
 *
 * The stock items of a reservation are saved in SKU order, so two writers that touch the
 * same SKUs always take their row locks in the same order and never deadlock.
 * Read next: infrastructure/inventory/stock_repository_pg.c
 */
#include "application/inventory/inventory_service.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdio.h> /* snprintf: messages only */
#include <stdlib.h>
#include <string.h>

typedef int attempt_fn(struct inventory_service *svc, void *ctx);

/* One attempt per unit of work; again on SHOP_ECONFLICT. */
static int retry(struct inventory_service *svc, attempt_fn *attempt, void *ctx, const char *what)
{
    int attempts = svc->max_attempts > 0 ? svc->max_attempts : INVENTORY_SERVICE_MAX_ATTEMPTS;
    int rc = 0;
    for (int i = 1; i <= attempts; i++) {
        if ((rc = unit_of_work_begin(svc->uow)) < 0)
            return rc;
        rc = attempt(svc, ctx);
        if (rc == 0 && (rc = unit_of_work_commit(svc->uow)) == 0)
            return 0;
        unit_of_work_rollback(svc->uow);
        if (rc != SHOP_ECONFLICT)
            return rc;
    }
    return shop_error_set(SHOP_ECONFLICT, "%s was changed by another writer on each of %d attempts",
                          what, attempts);
}

/* ---- receiving ---- */

struct receive_ctx {
    receive_stock cmd;
    stock_item *out;
};

static int attempt_receive(struct inventory_service *svc, void *ctx)
{
    struct receive_ctx *c = ctx;
    inventory_event event;
    size_t n;
    int64_t version;
    int rc;

    if ((rc = stock_repository_load(svc->stock, c->out, &version, &c->cmd.sku)) < 0 ||
        (rc = stock_decide_receive(&event, &n, c->out, &c->cmd)) < 0)
        return rc;
    stock_evolve(c->out, &event);
    return stock_repository_save(svc->stock, c->out, version);
}

int inventory_service_receive(stock_item *out, struct inventory_service *svc, const sku *s,
                              int64_t units)
{
    char what[64];
    struct receive_ctx c = {.cmd = {.sku = *s, .quantity = units}, .out = out};
    snprintf(what, sizeof what, "the stock of SKU %s", s->code);
    return retry(svc, attempt_receive, &c, what);
}

/* ---- queries ---- */

int inventory_service_stock(stock_item *out, struct inventory_service *svc, const sku *s)
{
    int64_t version;
    int rc = stock_repository_load(svc->stock, out, &version, s);
    if (rc < 0)
        return rc;
    if (version == 0)
        return shop_error_set(SHOP_ENOTFOUND, "no stock recorded for SKU %s", s->code);
    return 0;
}

int inventory_service_list(stock_item **out, size_t *out_count, struct inventory_service *svc)
{
    return stock_repository_list(svc->stock, out, out_count);
}

int inventory_service_reservation(reservation *out, struct inventory_service *svc,
                                  shop_uuid order_id)
{
    int64_t version;
    char id[UUID_STRING_SIZE];
    int rc = reservation_repository_load(svc->reservations, out, &version, order_id);
    if (rc < 0)
        return rc;
    if (version == 0)
        return shop_error_set(SHOP_ENOTFOUND, "no reservation for order %s",
                              uuid_format(id, order_id));
    return 0;
}

/* ---- changing stock items and a reservation together ---- */

static int compare_lines(const void *a, const void *b)
{
    return sku_compare(&((const reservation_line *)a)->sku, &((const reservation_line *)b)->sku);
}

/* The stock items a reservation names, with the versions they were loaded at. */
struct loaded_stock {
    size_t count;
    stock_item items[RESERVATION_MAX_LINES];
    int64_t versions[RESERVATION_MAX_LINES];
};

/* Loads the stock of every line, in SKU order (the order the saves take row locks in). */
static int load_stock(struct loaded_stock *out, struct inventory_service *svc,
                      const struct reservation_lines *lines)
{
    reservation_line sorted[RESERVATION_MAX_LINES];
    int rc;
    memcpy(sorted, lines->lines, lines->line_count * sizeof sorted[0]);
    qsort(sorted, lines->line_count, sizeof sorted[0], compare_lines);
    out->count = 0;
    for (size_t i = 0; i < lines->line_count; i++) {
        rc = stock_repository_load(svc->stock, &out->items[i], &out->versions[i], &sorted[i].sku);
        if (rc < 0)
            return rc;
        out->count++;
    }
    return 0;
}

/* Applies event to each loaded item and saves each at the version it was loaded at. */
static int save_stock(struct loaded_stock *stock, struct inventory_service *svc,
                      const inventory_event *event)
{
    int rc;
    for (size_t i = 0; i < stock->count; i++) {
        stock_evolve(&stock->items[i], event);
        if ((rc = stock_repository_save(svc->stock, &stock->items[i], stock->versions[i])) < 0)
            return rc;
    }
    return 0;
}

struct reserve_ctx {
    const reserve_stock *cmd;
    struct reservation_lines merged;
    reservation *out;
    struct loaded_stock *stock;
    char rejected[RESERVATION_REASON_MAX + 1];
};

static int attempt_reserve(struct inventory_service *svc, void *ctx)
{
    struct reserve_ctx *c = ctx;
    inventory_event event;
    int64_t version;
    size_t n;
    int rc;

    c->rejected[0] = '\0';
    if ((rc = reservation_repository_load(svc->reservations, c->out, &version, c->cmd->order_id)) <
        0)
        return rc;
    if (version > 0)
        return 0; /* reserved before: the same answer */
    if ((rc = load_stock(c->stock, svc, &c->merged)) < 0 ||
        (rc = reservation_decide_reserve(&event, &n, c->out, c->stock->items, c->stock->count,
                                         c->cmd)) < 0)
        return rc;
    if (event.type == STOCK_RESERVATION_REJECTED) {
        /* nothing to save: a rejection leaves no reservation behind */
        memcpy(c->rejected, event.as.rejected.reason, sizeof c->rejected);
        return 0;
    }
    if ((rc = save_stock(c->stock, svc, &event)) < 0)
        return rc;
    reservation_evolve(c->out, &event);
    return reservation_repository_save(svc->reservations, c->out, 0);
}

int inventory_service_reserve(reservation *out, struct inventory_service *svc,
                              const reserve_stock *cmd)
{
    char id[UUID_STRING_SIZE], what[64];
    struct reserve_ctx c = {.cmd = cmd, .out = out};
    int rc;

    reservation_init(out, cmd->order_id);
    if ((rc = reservation_merge_lines(&c.merged, cmd)) < 0)
        return rc;
    c.stock = shop_xmalloc(sizeof *c.stock);
    snprintf(what, sizeof what, "the stock for order %s", uuid_format(id, cmd->order_id));
    rc = retry(svc, attempt_reserve, &c, what);
    free(c.stock);
    if (rc == 0 && c.rejected[0]) {
        reservation_init(out, cmd->order_id);
        return shop_error_set(SHOP_EREFUSED, "%s", c.rejected);
    }
    return rc;
}

struct end_ctx {
    shop_uuid order_id;
    int (*decide)(inventory_event *out, size_t *out_count, const reservation *state);
    reservation *out;
    struct loaded_stock *stock;
};

static int attempt_end(struct inventory_service *svc, void *ctx)
{
    struct end_ctx *c = ctx;
    inventory_event event;
    int64_t version;
    size_t n;
    int rc;

    if ((rc = reservation_repository_load(svc->reservations, c->out, &version, c->order_id)) < 0 ||
        (rc = c->decide(&event, &n, c->out)) < 0)
        return rc;
    if (n == 0)
        return 0; /* released or committed before: nothing changes */
    if ((rc = load_stock(c->stock, svc, &event.as.lines)) < 0 ||
        (rc = save_stock(c->stock, svc, &event)) < 0)
        return rc;
    reservation_evolve(c->out, &event);
    return reservation_repository_save(svc->reservations, c->out, version);
}

static int end_reservation(reservation *out, struct inventory_service *svc, shop_uuid order_id,
                           int (*decide)(inventory_event *, size_t *, const reservation *))
{
    char id[UUID_STRING_SIZE], what[80];
    struct end_ctx c = {.order_id = order_id, .decide = decide, .out = out};
    c.stock = shop_xmalloc(sizeof *c.stock);
    snprintf(what, sizeof what, "the reservation for order %s", uuid_format(id, order_id));
    int rc = retry(svc, attempt_end, &c, what);
    free(c.stock);
    return rc;
}

int inventory_service_release(reservation *out, struct inventory_service *svc, shop_uuid order_id)
{
    return end_reservation(out, svc, order_id, reservation_decide_release);
}

int inventory_service_commit(reservation *out, struct inventory_service *svc, shop_uuid order_id)
{
    return end_reservation(out, svc, order_id, reservation_decide_commit);
}
