/*
 * infrastructure/inventory/inventory_commands.c — Ordering's commands to Inventory, from
 * the bus to the inventory service and back as one reply (see inventory_commands.h).
 *
 * Per message:
 *   read     the command strictly (published_read.h): a payload that breaks the contract
 *            is SHOP_EINVALID, a dead letter at once;
 *   act      the inventory service, in the consumer's transaction (its unit of work is a
 *            savepoint there);
 *   answer   the reply, its id derived from the command's, into inventory.outbox on the
 *            same connection.
 * An error of the database (or a conflict the service could not get past) is returned as
 * it is: the consumer rolls the message back and tries it again later.
 * Read next: inventory_messages.c, application/inventory/inventory_service.c
 */
#include "infrastructure/inventory/inventory_commands.h"

#include "application/inventory/inventory_service.h"
#include "infrastructure/messaging/reply.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/inventory/inventory_messages.h"
#include "infrastructure/inventory/inventory_pg.h"
#include "infrastructure/messaging/outbox_pg.h"
#include "infrastructure/messaging/published_read.h"
#include "infrastructure/system/clock_system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct inventory_commands {
    PGconn *conn; /* the consumer's */
    struct stock_repository *stock;
    struct reservation_repository *reservations;
    struct unit_of_work *uow;
    struct shop_clock *clock;
    struct inventory_service svc;
};

/* ---- reading ---- */

/* The lines of a ReserveStock: [{"sku", "quantity"}], 1..RESERVATION_MAX_LINES of them. */
static int read_lines(reserve_stock *cmd, const cJSON *root, const struct message *m)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(root, "lines");
    const cJSON *line;
    char field[32];
    size_t i = 0;

    if (!lines)
        return published_refuse(m, "lines", "missing");
    if (!cJSON_IsArray(lines))
        return published_refuse(m, "lines", "must be an array");
    int n = cJSON_GetArraySize(lines);
    if (n < 1 || n > RESERVATION_MAX_LINES)
        return published_refuse(m, "lines", "must have 1 to 50 lines");
    cJSON_ArrayForEach(line, lines)
    {
        const char *code;
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(line, "quantity");
        int rc;
        snprintf(field, sizeof field, "lines[%zu].sku", i);
        if ((rc = published_get_string(&code, line, "sku", m)) < 0)
            return rc;
        if (sku_parse(&cmd->lines[i].sku, code) < 0 || strcmp(cmd->lines[i].sku.code, code) != 0)
            return published_refuse(m, field, "must be 1-32 characters of A-Z, 0-9 and '-'");
        snprintf(field, sizeof field, "lines[%zu].quantity", i);
        if (!cJSON_IsNumber(q) || q->valuedouble < QUANTITY_MIN || q->valuedouble > QUANTITY_MAX ||
            (double)(int)q->valuedouble != q->valuedouble)
            return published_refuse(m, field, "must be a whole number from 1 to 999");
        cmd->lines[i].quantity = (int64_t)q->valuedouble;
        i++;
    }
    cmd->line_count = i;
    return 0;
}

/* ---- answering ---- */

static int answer(struct inventory_commands *h, struct outgoing_message *reply)
{
    int rc = outbox_pg_write(h->conn, "inventory", reply);
    outgoing_message_dispose(reply);
    return rc;
}

static int reply_lines(struct inventory_commands *h, const struct message *m, const char *type,
                       shop_uuid order_id, const reservation_line *lines, size_t n)
{
    struct outgoing_message reply;
    struct message_meta meta;
    message_reply_meta(&meta, m, type);
    int rc = inventory_message_lines(&reply, type, order_id, lines, n, shop_clock_now_us(h->clock),
                                     &meta);
    return rc < 0 ? rc : answer(h, &reply);
}

/* A refusal no reply can tell: it will never succeed, so it is given up on at once. */
static int give_up(const struct message *m, shop_uuid order_id)
{
    char id[UUID_STRING_SIZE], why[SHOP_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why, "%s", shop_error_message());
    return shop_error_set(SHOP_EINVALID, "%s for order %s: %s", m->type, uuid_format(id, order_id),
                          why);
}

/* ---- the commands ---- */

static int reserve(struct inventory_commands *h, const struct message *m, const cJSON *root)
{
    reserve_stock cmd = {0};
    reservation r;
    int rc;

    if ((rc = published_get_uuid(&cmd.order_id, root, "order_id", m)) < 0 ||
        (rc = read_lines(&cmd, root, m)) < 0)
        return rc;
    rc = inventory_service_reserve(&r, &h->svc, &cmd);
    if (rc == SHOP_EREFUSED) {
        struct outgoing_message reply;
        struct message_meta meta;
        char reason[RESERVATION_REASON_MAX + 1];
        snprintf(reason, sizeof reason, "%s", shop_error_message());
        message_reply_meta(&meta, m, INVENTORY_STOCK_RESERVATION_REJECTED);
        rc = inventory_message_rejected(&reply, cmd.order_id, reason, shop_clock_now_us(h->clock),
                                        &meta);
        return rc < 0 ? rc : answer(h, &reply);
    }
    if (rc < 0)
        return rc; /* SHOP_EINVALID (lines the domain refuses): a dead letter */
    /* reserved now, or before (the same answer again: the reservation's lines) */
    return reply_lines(h, m, INVENTORY_STOCK_RESERVED, cmd.order_id, r.lines, r.line_count);
}

static int release(struct inventory_commands *h, const struct message *m, const cJSON *root)
{
    shop_uuid order_id;
    reservation before, after;
    int rc;

    if ((rc = published_get_uuid(&order_id, root, "order_id", m)) < 0)
        return rc;
    /* what there is to release decides the reply's lines; this runs in the consumer's
     * transaction, on the partition that alone handles this order's stream */
    rc = inventory_service_reservation(&before, &h->svc, order_id);
    if (rc == SHOP_ENOTFOUND || (rc == 0 && before.status == RESERVATION_STATUS_RELEASED))
        return reply_lines(h, m, INVENTORY_RESERVATION_RELEASED, order_id, NULL, 0);
    if (rc < 0)
        return rc;
    if ((rc = inventory_service_release(&after, &h->svc, order_id)) == SHOP_EREFUSED)
        return give_up(m, order_id); /* committed: the units have left */
    if (rc < 0)
        return rc;
    return reply_lines(h, m, INVENTORY_RESERVATION_RELEASED, order_id, after.lines,
                       after.line_count);
}

static int commit(struct inventory_commands *h, const struct message *m, const cJSON *root)
{
    shop_uuid order_id;
    reservation after;
    int rc;

    if ((rc = published_get_uuid(&order_id, root, "order_id", m)) < 0)
        return rc;
    rc = inventory_service_commit(&after, &h->svc, order_id);
    if (rc == SHOP_ENOTFOUND || rc == SHOP_EREFUSED)
        return give_up(m, order_id); /* nothing reserved, or released */
    if (rc < 0)
        return rc;
    /* committed now, or before: the same answer */
    return reply_lines(h, m, INVENTORY_RESERVATION_COMMITTED, order_id, after.lines,
                       after.line_count);
}

static int handle(void *ctx, const struct message *m)
{
    struct inventory_commands *h = ctx;
    cJSON *root;
    int rc = published_read_object(&root, m);
    if (rc < 0)
        return rc;
    if (strcmp(m->type, ORDERING_RESERVE_STOCK) == 0)
        rc = reserve(h, m, root);
    else if (strcmp(m->type, ORDERING_RELEASE_RESERVATION) == 0)
        rc = release(h, m, root);
    else if (strcmp(m->type, ORDERING_COMMIT_RESERVATION) == 0)
        rc = commit(h, m, root);
    else
        rc = shop_error_set(SHOP_EINVALID, "%s is not a command to Inventory", m->type);
    cJSON_Delete(root);
    return rc;
}

/* ---- the handler's state, on the consumer's connection ---- */

static void close_commands(void *ctx)
{
    struct inventory_commands *h = ctx;
    if (!h)
        return;
    shop_clock_free(h->clock);
    unit_of_work_free(h->uow);
    reservation_repository_free(h->reservations);
    stock_repository_free(h->stock);
    free(h);
}

static int open_commands(void **ctx, PGconn *conn, void *arg)
{
    struct inventory_commands *h = shop_xcalloc(1, sizeof *h);
    int rc;
    (void)arg;
    h->conn = conn;
    if ((rc = stock_repository_pg_new(&h->stock, conn)) < 0 ||
        (rc = reservation_repository_pg_new(&h->reservations, conn)) < 0 ||
        (rc = unit_of_work_pg_new(&h->uow, conn)) < 0 || (rc = clock_system_new(&h->clock)) < 0) {
        close_commands(h);
        *ctx = NULL;
        return rc;
    }
    h->svc = (struct inventory_service){h->stock, h->reservations, h->uow, 0};
    *ctx = h;
    return 0;
}

const struct subscription inventory_commands_subscription = {
    .name = INVENTORY_COMMANDS_SUBSCRIBER,
    .inbox_schema = "inventory",
    .types = {ORDERING_RESERVE_STOCK, ORDERING_RELEASE_RESERVATION, ORDERING_COMMIT_RESERVATION,
              NULL},
    .handle = handle,
    .open = open_commands,
    .close = close_commands,
};
