/*
 * infrastructure/memory/carrier_memory.c — see carrier_memory.h.
 *
 * Bookings and kept answers are arrays searched from the start: a test makes a handful.
 * A kept answer is the call's fingerprint ("book <reference> <postcode> <ship-to>",
 * "cancel <id>") and its result; the booking ids and tracking numbers have the
 * simulator's shapes ("shp_" + hex, "TRK" + digits).
 */
#include "infrastructure/memory/carrier_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kept {
    char *key;
    char *fingerprint;
    int rc;                         /* the call's result */
    struct carrier_booking booking; /* a book() call's answer */
};

struct carrier_memory {
    struct carrier_port base; /* first: the port */
    bool down;
    struct {
        char id[SHIPMENT_CARRIER_ID_MAX + 1];
        bool cancelled;
    } * bookings;
    size_t booking_count, cancellations;
    struct kept *kept;
    size_t kept_count;
};

/* "<verb> <a> <b> <c>": what a call asked, to tell it from another under the same key. */
static char *fingerprint(const char *verb, const char *a, const char *b, const char *c)
{
    int n = snprintf(NULL, 0, "%s %s %s %s", verb, a, b, c);
    char *s = shop_xmalloc((size_t)n + 1);
    snprintf(s, (size_t)n + 1, "%s %s %s %s", verb, a, b, c);
    return s;
}

/*
 * Looks up key: 1 with *out the kept call when it is the same call, SHOP_ECONFLICT when
 * the key names another, 0 when it is new.
 */
static int find_kept(struct carrier_memory *m, const char *key, const char *print,
                     const struct kept **out)
{
    for (size_t i = 0; i < m->kept_count; i++) {
        if (strcmp(m->kept[i].key, key) != 0)
            continue;
        if (strcmp(m->kept[i].fingerprint, print) != 0)
            return shop_error_set(SHOP_ECONFLICT,
                                  "Idempotency-Key was used for another request: a key names "
                                  "one request");
        *out = &m->kept[i];
        return 1;
    }
    return 0;
}

static void keep(struct carrier_memory *m, const char *key, char *print, int rc,
                 const struct carrier_booking *booking)
{
    m->kept = shop_xreallocarray(m->kept, m->kept_count + 1, sizeof *m->kept);
    m->kept[m->kept_count++] = (struct kept){shop_xstrdup(key), print, rc,
                                             booking ? *booking : (struct carrier_booking){0}};
}

static int check_key(const char *key)
{
    if (!key || !*key || strlen(key) > CARRIER_KEY_MAX)
        return shop_error_set(SHOP_EINVALID, "an idempotency key must be 1-%d characters",
                              CARRIER_KEY_MAX);
    return 0;
}

static int memory_book(struct carrier_port *self, struct carrier_booking *out, const char *key,
                       const struct carrier_booking_request *req)
{
    struct carrier_memory *m = (struct carrier_memory *)self;
    const struct kept *kept;
    int rc;

    memset(out, 0, sizeof *out);
    if (m->down)
        return shop_error_set(SHOP_EUNAVAILABLE, "carrier: unavailable (in-memory carrier down)");
    if ((rc = check_key(key)) < 0)
        return rc;
    char *print = fingerprint("book", req->reference, req->postcode->code, req->ship_to->text);
    if ((rc = find_kept(m, key, print, &kept)) != 0) {
        free(print);
        if (rc == 1)
            *out = kept->booking;
        return rc < 0 ? rc : 0;
    }
    if (strcmp(req->postcode->code, "00000") == 0) {
        out->verdict = CARRIER_UNDELIVERABLE;
    } else {
        m->bookings = shop_xreallocarray(m->bookings, m->booking_count + 1, sizeof *m->bookings);
        size_t n = m->booking_count++;
        out->verdict = CARRIER_BOOKED;
        snprintf(out->id, sizeof out->id, "shp_%016zx", n + 1);
        snprintf(out->tracking, sizeof out->tracking, "TRK%012zu", n + 1);
        memcpy(m->bookings[n].id, out->id, sizeof out->id);
        m->bookings[n].cancelled = false;
    }
    keep(m, key, print, 0, out);
    return 0;
}

static int memory_cancel(struct carrier_port *self, const char *key, const char *carrier_id)
{
    struct carrier_memory *m = (struct carrier_memory *)self;
    const struct kept *kept;
    int rc;

    if (m->down)
        return shop_error_set(SHOP_EUNAVAILABLE, "carrier: unavailable (in-memory carrier down)");
    if ((rc = check_key(key)) < 0)
        return rc;
    char *print = fingerprint("cancel", carrier_id, "", "");
    if ((rc = find_kept(m, key, print, &kept)) != 0) {
        free(print);
        if (rc < 0)
            return rc;
        return kept->rc < 0 ? shop_error_set(kept->rc, "no shipment %s", carrier_id) : 0;
    }
    rc = shop_error_set(SHOP_ENOTFOUND, "no shipment %s", carrier_id);
    for (size_t i = 0; i < m->booking_count; i++) {
        if (strcmp(m->bookings[i].id, carrier_id) != 0)
            continue;
        if (!m->bookings[i].cancelled)
            m->cancellations++;
        m->bookings[i].cancelled = true;
        rc = 0;
    }
    keep(m, key, print, rc, NULL);
    return rc;
}

static void memory_free(struct carrier_port *self)
{
    struct carrier_memory *m = (struct carrier_memory *)self;
    for (size_t i = 0; i < m->kept_count; i++) {
        free(m->kept[i].key);
        free(m->kept[i].fingerprint);
    }
    free(m->kept);
    free(m->bookings);
    free(m);
}

int carrier_memory_new(struct carrier_port **out)
{
    struct carrier_memory *m = shop_xcalloc(1, sizeof *m);
    m->base = (struct carrier_port){CARRIER_PORT_VERSION, memory_book, memory_cancel, memory_free};
    *out = &m->base;
    return 0;
}

void carrier_memory_set_unavailable(struct carrier_port *carrier, bool down)
{
    ((struct carrier_memory *)carrier)->down = down;
}

size_t carrier_memory_bookings(const struct carrier_port *carrier)
{
    return ((const struct carrier_memory *)carrier)->booking_count;
}

size_t carrier_memory_cancellations(const struct carrier_port *carrier)
{
    return ((const struct carrier_memory *)carrier)->cancellations;
}
