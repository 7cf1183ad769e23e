/*
 * infrastructure/simulators/carrier.c — the simulated parcel carrier: an external system
 * the Shipping context books shipments with (`shop serve carrier`).  No database: every
 * quote, booking and idempotency key lives in this process's memory and is gone when it
 * stops.  The contract it keeps is docs/contracts/carrier.md:
 *
 *   POST /v1/quotes                 {"postcode","parcels"}     200 {"price","days"}
 *   POST /v1/shipments              {"reference","ship_to",    201 {"id","tracking",
 *                                    "postcode"}                    "status":"booked"}
 *   POST /v1/shipments/{id}/cancel                             200 {"id","status":"cancelled"}
 *   GET  /v1/shipments/{id}                                    200 the booking
 *
 * Postcode "00000" is undeliverable: 422 problem "/problems/undeliverable".
 *
 * Pattern: idempotent receiver.  Every POST may carry an Idempotency-Key header.  The
 * first answer given under a key is kept with a fingerprint of the request (method, path,
 * body as parsed JSON): the same request again gets the same answer back (and books
 * nothing), another request under the same key is 409.  Answers of 5xx are not kept: a
 * request that failed may be retried under its key.
 *
 * Faults (faults.h: --latency-ms, --error-rate, --outage, --seed) are applied to every
 * request to the routes above before anything else: the added latency is a BLOCKING
 * sleep on the service's loop thread, so requests queue behind a slow one as they would
 * behind a slow carrier; an injected error or the outage window answers 503 and the
 * request changes nothing, not even its idempotency key.
 *
 * Not thread-safe, and need not be: a service's handlers all run on its one loop thread.
 * Read next: docs/contracts/carrier.md, infrastructure/shipping/carrier_http.c (the client),
 * tests/integration/carrier_test.c.
 */
#include "infrastructure/simulators/carrier.h"

#include "domain/shared/address.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/money.h"
#include "domain/shared/text.h"
#include "infrastructure/simulators/faults.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CARRIER_MAX_BOOKINGS       100000 /* then 503: the simulator's memory is bounded */
#define CARRIER_MAX_KEYS           200000
#define CARRIER_KEY_MAX            200 /* bytes of an Idempotency-Key, printable ASCII */
#define CARRIER_REFERENCE_MAX      100 /* bytes of a booking's reference */
#define CARRIER_MAX_PARCELS        50
#define CARRIER_UNDELIVERABLE_CODE "00000"

enum booking_status { BOOKING_BOOKED, BOOKING_CANCELLED };

struct booking {
    char reference[CARRIER_REFERENCE_MAX + 1];
    ship_to ship_to;
    postcode postcode;
    enum booking_status status;
};

/* One answer kept under an idempotency key. */
struct kept_answer {
    char *key;
    char *fingerprint; /* "POST /v1/shipments {...}" */
    int status;
    char *rule; /* a problem's rule; NULL for a JSON answer */
    char *text; /* the JSON body, or the problem's detail */
};

struct carrier {
    struct fault_injector faults;
    uint32_t salt; /* in every booking id: ids of an earlier run are not found */
    struct booking *bookings;
    size_t booking_count, booking_capacity;
    struct kept_answer *answers; /* open addressing on the key, capacity a power of 2 */
    size_t answer_count, answer_capacity;
    unsigned long quotes, booked, undeliverable, cancelled, replays, key_conflicts;
};

/* ---- idempotency keys ---- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static struct kept_answer *slot_of(struct kept_answer *table, size_t capacity, const char *key)
{
    size_t i = (size_t)fnv1a(key) & (capacity - 1);
    while (table[i].key && strcmp(table[i].key, key) != 0)
        i = (i + 1) & (capacity - 1);
    return &table[i];
}

static struct kept_answer *find_answer(struct carrier *c, const char *key)
{
    if (!c->answer_capacity)
        return NULL;
    struct kept_answer *a = slot_of(c->answers, c->answer_capacity, key);
    return a->key ? a : NULL;
}

/* A free slot for key (not yet kept), growing the table to stay at most half full. */
static struct kept_answer *new_answer_slot(struct carrier *c, const char *key)
{
    if ((c->answer_count + 1) * 2 > c->answer_capacity) {
        size_t capacity = c->answer_capacity ? c->answer_capacity * 2 : 64;
        struct kept_answer *table = shop_xcalloc(capacity, sizeof *table);
        for (size_t i = 0; i < c->answer_capacity; i++)
            if (c->answers[i].key)
                *slot_of(table, capacity, c->answers[i].key) = c->answers[i];
        free(c->answers);
        c->answers = table;
        c->answer_capacity = capacity;
    }
    c->answer_count++;
    return slot_of(c->answers, c->answer_capacity, key);
}

/* ---- one request ---- */

/* What a handler knows about the request it answers. */
struct request {
    struct http_exchange *x;
    struct carrier *c;
    const char *key;   /* Idempotency-Key, NULL if none */
    char *fingerprint; /* owned */
};

/* Replies, and keeps the answer under the request's key (unless it is a 5xx). */
static void answer(struct request *r, int status, const char *rule, const char *detail, cJSON *doc)
{
    if (r->key && status < 500 && r->c->answer_count < CARRIER_MAX_KEYS) {
        struct kept_answer *a = new_answer_slot(r->c, r->key);
        char *text = rule ? shop_xstrdup(detail) : cJSON_PrintUnformatted(doc);
        if (!text)
            shop_out_of_memory();
        *a = (struct kept_answer){shop_xstrdup(r->key), r->fingerprint, status,
                                  rule ? shop_xstrdup(rule) : NULL, text};
        r->fingerprint = NULL; /* the table has it now */
    }
    if (rule)
        http_reply_problem(r->x, status, rule, detail);
    else
        http_reply_json(r->x, status, doc);
}

static void replay(struct request *r, const struct kept_answer *a)
{
    r->c->replays++;
    http_reply_header(r->x, "Idempotent-Replayed", "true");
    if (a->rule) {
        http_reply_problem(r->x, a->status, a->rule, a->text);
        return;
    }
    cJSON *doc = cJSON_Parse(a->text);
    if (!doc)
        shop_out_of_memory(); /* we printed it: only memory can make it unparsable */
    http_reply_json(r->x, a->status, doc);
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

/*
 * Everything before the route's own work: the faults, the body, the idempotency key.
 * Returns 1 when the request is answered already (a fault, a bad body, a replay, a key
 * reused for another request); 0 to go on, with *body the parsed body (NULL when
 * !want_body).
 */
static int begin(struct request *r, struct http_exchange *x, struct carrier *c, bool want_body,
                 const cJSON **body)
{
    int delay_ms;
    *r = (struct request){.x = x, .c = c};
    *body = NULL;

    enum fault_verdict verdict = fault_injector_next(&c->faults, fault_now_s(), &delay_ms);
    if (delay_ms > 0)
        sleep_ms(delay_ms);
    if (verdict != FAULT_NONE) {
        http_reply_problem(x, 503, "unavailable",
                           verdict == FAULT_OUTAGE ? "carrier: outage (simulated)"
                                                   : "carrier: injected error (simulated)");
        return 1;
    }

    const char *key = http_header(x, "Idempotency-Key");
    if (key && (!*key || strlen(key) > CARRIER_KEY_MAX || !text_is_printable_ascii(key))) {
        http_reply_problem(x, 400, "invalid-input",
                           "Idempotency-Key: must be 1-200 characters of printable ASCII");
        return 1;
    }
    if (want_body && http_json_body(x, body) < 0)
        return 1; /* replied 400 */

    char *printed = *body ? cJSON_PrintUnformatted(*body) : shop_xstrdup("");
    if (!printed)
        shop_out_of_memory();
    size_t n = strlen(http_method(x)) + strlen(http_path(x)) + strlen(printed) + 3;
    r->fingerprint = shop_xmalloc(n);
    snprintf(r->fingerprint, n, "%s %s %s", http_method(x), http_path(x), printed);
    free(printed);

    if (!key)
        return 0;
    r->key = key;
    const struct kept_answer *kept = find_answer(c, key);
    if (!kept)
        return 0;
    if (strcmp(kept->fingerprint, r->fingerprint) == 0) {
        replay(r, kept);
        return 1;
    }
    c->key_conflicts++;
    http_reply_problem(x, 409, "conflict",
                       "Idempotency-Key was used for another request: a key names one request");
    return 1;
}

static void end(struct request *r)
{
    free(r->fingerprint);
    r->fingerprint = NULL;
}

/* A string field of the body, or an answered 400 naming it; *out borrowed. */
static int field_string(struct request *r, const cJSON *body, const char *name, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    char detail[128];
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
        return 0;
    }
    snprintf(detail, sizeof detail, "%s: %s", name, v ? "must be a string" : "missing");
    answer(r, 400, "invalid-input", detail, NULL);
    return -1;
}

/* The postcode field: a valid postcode, or an answered 400; 422 if undeliverable. */
static int field_postcode(struct request *r, const cJSON *body, postcode *out)
{
    const char *text;
    char detail[SHOP_ERROR_MESSAGE_MAX + 16];
    if (field_string(r, body, "postcode", &text) < 0)
        return -1;
    if (postcode_parse(out, text) < 0) {
        snprintf(detail, sizeof detail, "postcode: %s", shop_error_message());
        answer(r, 400, "invalid-input", detail, NULL);
        return -1;
    }
    if (strcmp(out->code, CARRIER_UNDELIVERABLE_CODE) == 0) {
        snprintf(detail, sizeof detail, "postcode %s: undeliverable, the carrier does not go there",
                 out->code);
        r->c->undeliverable++;
        answer(r, 422, "undeliverable", detail, NULL);
        return -1;
    }
    return 0;
}

/* ---- the routes ---- */

/*
 * A quote: 4.90 EUR for the first parcel and 1.50 EUR for each more; 2 days to a postcode
 * that starts with a digit, 4 days to any other (abroad, in the simulation).
 */
static void handle_quote(struct http_exchange *x, void *ctx)
{
    struct request r;
    const cJSON *body;
    postcode code;
    if (begin(&r, x, ctx, true, &body))
        goto done;
    const cJSON *parcels = cJSON_GetObjectItemCaseSensitive(body, "parcels");
    double n = cJSON_IsNumber(parcels) ? parcels->valuedouble : 0;
    /* the range first: only then may n be converted to an int */
    if (!cJSON_IsNumber(parcels) || n < 1 || n > CARRIER_MAX_PARCELS || n != (double)(int)n) {
        answer(&r, 400, "invalid-input",
               parcels ? "parcels: must be an integer 1-50" : "parcels: missing", NULL);
        goto done;
    }
    if (field_postcode(&r, body, &code) < 0)
        goto done;

    const currency *eur;
    money price;
    char text[MONEY_FORMAT_MAX];
    currency_find(&eur, "EUR");
    price = money_make(eur, 490 + 150 * ((int64_t)n - 1));
    money_format(text, sizeof text, price);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "price", text);
    cJSON_AddNumberToObject(doc, "days", text_is_ascii_digit(code.code[0]) ? 2 : 4);
    r.c->quotes++;
    answer(&r, 200, NULL, NULL, doc);
done:
    end(&r);
}

/* "shp_" + 8 hex digits of the run's salt + 8 of the booking's number. */
#define BOOKING_ID_SIZE (4 + 16 + 1)

static void booking_id(char out[BOOKING_ID_SIZE], const struct carrier *c, size_t index)
{
    snprintf(out, BOOKING_ID_SIZE, "shp_%08" PRIx32 "%08" PRIx32, c->salt, (uint32_t)index);
}

/* The booking an id names; NULL if none (another run's id, a malformed one). */
static struct booking *find_booking(struct carrier *c, const char *id, size_t *out_index)
{
    char expect[BOOKING_ID_SIZE];
    if (strlen(id) != BOOKING_ID_SIZE - 1 || strncmp(id, "shp_", 4) != 0)
        return NULL;
    char *end;
    unsigned long long index = strtoull(id + 12, &end, 16);
    if (*end || index >= c->booking_count)
        return NULL;
    booking_id(expect, c, (size_t)index);
    if (strcmp(expect, id) != 0) /* another salt, upper-case hex, a sign: not ours */
        return NULL;
    *out_index = (size_t)index;
    return &c->bookings[index];
}

static cJSON *booking_json(const struct carrier *c, size_t index)
{
    const struct booking *b = &c->bookings[index];
    char id[BOOKING_ID_SIZE], tracking[32];
    booking_id(id, c, index);
    /* 12 digits: 6 of the run's salt, 6 of the booking's number (< CARRIER_MAX_BOOKINGS). */
    snprintf(tracking, sizeof tracking, "TRK%06" PRIu32 "%06" PRIu32, c->salt % 1000000,
             (uint32_t)index);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "id", id);
    cJSON_AddStringToObject(doc, "tracking", tracking);
    cJSON_AddStringToObject(doc, "status", b->status == BOOKING_BOOKED ? "booked" : "cancelled");
    cJSON_AddStringToObject(doc, "reference", b->reference);
    cJSON_AddStringToObject(doc, "ship_to", b->ship_to.text);
    cJSON_AddStringToObject(doc, "postcode", b->postcode.code);
    return doc;
}

static void handle_book(struct http_exchange *x, void *ctx)
{
    struct request r;
    const cJSON *body;
    const char *reference, *ship_to_text;
    struct booking b = {.status = BOOKING_BOOKED};
    char detail[SHOP_ERROR_MESSAGE_MAX + 16];

    if (begin(&r, x, ctx, true, &body))
        goto done;
    if (field_string(&r, body, "reference", &reference) < 0 ||
        field_string(&r, body, "ship_to", &ship_to_text) < 0)
        goto done;
    if (!*reference || strlen(reference) > CARRIER_REFERENCE_MAX ||
        !text_is_printable_ascii(reference)) {
        answer(&r, 400, "invalid-input", "reference: must be 1-100 characters of printable ASCII",
               NULL);
        goto done;
    }
    if (ship_to_parse(&b.ship_to, ship_to_text) < 0) {
        snprintf(detail, sizeof detail, "ship_to: %s", shop_error_message());
        answer(&r, 400, "invalid-input", detail, NULL);
        goto done;
    }
    if (field_postcode(&r, body, &b.postcode) < 0)
        goto done;
    struct carrier *c = r.c;
    if (c->booking_count == CARRIER_MAX_BOOKINGS) {
        answer(&r, 503, "unavailable", "carrier: the simulator holds at most 100000 bookings",
               NULL);
        goto done;
    }
    memcpy(b.reference, reference, strlen(reference) + 1);
    if (c->booking_count == c->booking_capacity) {
        c->booking_capacity = c->booking_capacity ? c->booking_capacity * 2 : 64;
        c->bookings = shop_xreallocarray(c->bookings, c->booking_capacity, sizeof *c->bookings);
    }
    c->bookings[c->booking_count] = b;
    c->booked++;
    answer(&r, 201, NULL, NULL, booking_json(c, c->booking_count++));
done:
    end(&r);
}

static void handle_cancel(struct http_exchange *x, void *ctx)
{
    struct request r;
    const cJSON *body;
    size_t index;
    char detail[128];

    if (begin(&r, x, ctx, false, &body))
        goto done;
    struct booking *b = find_booking(r.c, http_param(x, "id"), &index);
    if (!b) {
        snprintf(detail, sizeof detail, "no shipment %.40s", http_param(x, "id"));
        answer(&r, 404, "not-found", detail, NULL);
        goto done;
    }
    if (b->status != BOOKING_CANCELLED) {
        b->status = BOOKING_CANCELLED;
        r.c->cancelled++;
    }
    answer(&r, 200, NULL, NULL, booking_json(r.c, index)); /* twice: the same answer */
done:
    end(&r);
}

static void handle_get(struct http_exchange *x, void *ctx)
{
    struct request r;
    const cJSON *body;
    size_t index;
    char detail[128];

    if (begin(&r, x, ctx, false, &body))
        goto done;
    if (!find_booking(r.c, http_param(x, "id"), &index)) {
        snprintf(detail, sizeof detail, "no shipment %.40s", http_param(x, "id"));
        http_reply_problem(x, 404, "not-found", detail);
        goto done;
    }
    http_reply_json(x, 200, booking_json(r.c, index));
done:
    end(&r);
}

static const struct http_route routes[] = {
    {"POST", "/v1/quotes", handle_quote},
    {"POST", "/v1/shipments", handle_book},
    {"POST", "/v1/shipments/{id}/cancel", handle_cancel},
    {"GET", "/v1/shipments/{id}", handle_get},
};

/* ---- the service ---- */

static void metric(FILE *out, const char *name, const char *help, unsigned long value)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n", name, help, name, name, value);
}

static void carrier_metrics(void *ctx, FILE *out)
{
    const struct carrier *c = ctx;
    metric(out, "shop_carrier_bookings_total", "Shipments booked.", c->booked);
    metric(out, "shop_carrier_undeliverable_total",
           "Quotes and bookings refused: the postcode is undeliverable.", c->undeliverable);
    metric(out, "shop_carrier_cancellations_total", "Bookings cancelled.", c->cancelled);
    metric(out, "shop_carrier_quotes_total", "Quotes given.", c->quotes);
    metric(out, "shop_carrier_idempotent_replays_total",
           "Requests answered with the answer kept under their Idempotency-Key.", c->replays);
    metric(out, "shop_carrier_idempotency_conflicts_total",
           "Requests refused: their Idempotency-Key named another request.", c->key_conflicts);
    fprintf(out,
            "# HELP shop_carrier_injected_errors_total Requests answered 503 by fault "
            "injection.\n# TYPE shop_carrier_injected_errors_total counter\n"
            "shop_carrier_injected_errors_total{kind=\"error\"} %lu\n"
            "shop_carrier_injected_errors_total{kind=\"outage\"} %lu\n",
            c->faults.injected_errors, c->faults.outage_errors);
}

int carrier_open(struct service_instance *out, struct service_env *env)
{
    struct carrier *c = shop_xcalloc(1, sizeof *c);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    fault_injector_init(&c->faults, env->faults, fault_now_s());
    c->salt = (uint32_t)(fnv1a("carrier") ^ (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^
                         (uint64_t)getpid());
    *out = (struct service_instance){.routes = routes,
                                     .route_count = sizeof routes / sizeof routes[0],
                                     .ctx = c,
                                     .metrics = carrier_metrics};
    return 0;
}

void carrier_close(void *ctx)
{
    struct carrier *c = ctx;
    if (!c)
        return;
    for (size_t i = 0; i < c->answer_capacity; i++) {
        free(c->answers[i].key);
        free(c->answers[i].fingerprint);
        free(c->answers[i].rule);
        free(c->answers[i].text);
    }
    free(c->answers);
    free(c->bookings);
    free(c);
}
