/*
 * infrastructure/messaging/consumer.h — a subscriber's consumer of the bus: checkpoints
 * per partition, an inbox, retries with backoff and jitter, dead letters, competing
 * consumers (docs/patterns/event-driven.md).
 *
 * A subscription names the message types it wants and a handler.  The consumer reads the
 * bus like the global event log (gap-free: only transactions older than every running
 * one, in (transaction id, position) order) and, for each message, in ONE transaction:
 *     inbox has (subscriber, message id)?  → a duplicate: nothing is done again
 *     otherwise handler(message)            → its effects, on the consumer's connection
 *              + INSERT into <inbox_schema>.inbox
 *     and the partition's checkpoint moves past it.
 * So a message is handled once whatever is delivered twice (a replay, a checkpoint moved
 * back, a second publish), and a crash rolls back effects, inbox row and checkpoint
 * together.
 *
 * Partitions (competing consumers): a subscription's streams are spread over
 * `partitions` by hash(stream).  A consumer handles a partition only while it holds the
 * lock of the partition's checkpoint row (FOR UPDATE SKIP LOCKED) in the transaction
 * that handles it; several processes of one subscriber therefore share the partitions,
 * never handle one stream at once, and keep each stream in order.
 *
 * Failures: a handler returns 0 (handled), SHOP_EINVALID (this message can never be
 * handled: a payload that breaks its schema — dead-lettered at once) or another error
 * (failed this time: retried).  A failed message is parked in messaging.retries with
 * next_attempt_at = now + a full-jitter backoff (random between 0 and min(cap, base ×
 * 2^attempt)); later messages of the SAME stream wait behind it (parked with 0
 * attempts), later messages of other streams go on.  After max_attempts it goes to
 * messaging.dead_letters and its stream moves on.  `shop dlq replay ID` parks it again
 * with no attempts; the inbox still keeps a replay of a handled message from counting twice.
 *
 * Crash points (crash_point.h): "consumer.after-handle" (effects and inbox written, not
 * committed).
 * Read next: consumer.c, tests/integration/consumer_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_CONSUMER_H
#define SHOP_INFRASTRUCTURE_MESSAGING_CONSUMER_H

#include "application/messaging/message.h"

#include <libpq-fe.h>
#include <stddef.h>

#define SUBSCRIPTION_MAX_TYPES 16

struct subscription {
    const char *name;         /* the subscriber: "ordering.price-list", [a-z][a-z0-9.-]{0,63} */
    const char *inbox_schema; /* "ordering": the subscriber's context, <schema>.inbox */
    /* The message types it handles, NULL-terminated; others pass by (the checkpoint
     * moves over them). */
    const char *types[SUBSCRIPTION_MAX_TYPES + 1];
    /* Handles one message on the consumer's connection, inside its transaction: 0,
     * SHOP_EINVALID (never: dead letter now), or another SHOP_E* (retry later). */
    int (*handle)(void *ctx, const struct message *m);
    /* Builds the handler's state on the consumer's connection (called again after a
     * reconnect); NULL: ctx is the worker's arg as given. */
    int (*open)(void **ctx, PGconn *conn, void *arg);
    void (*close)(void *ctx);
};

struct consumer_options {
    int partitions;      /* 1..256; 0: CONSUMER_DEFAULT_PARTITIONS.  Fixed once created. */
    int batch;           /* messages per partition per transaction; 0: 100 */
    int max_attempts;    /* attempts before a dead letter; 0: CONSUMER_DEFAULT_MAX_ATTEMPTS */
    int backoff_base_ms; /* 0: 100 */
    int backoff_cap_ms;  /* 0: 30000 */
    unsigned seed;       /* for the jitter; 0: from the clock */
};

#define CONSUMER_DEFAULT_PARTITIONS   4
#define CONSUMER_DEFAULT_MAX_ATTEMPTS 5

struct consumer;

/* A consumer of sub on conn (borrowed).  Creates the subscription's checkpoint rows if
 * there are none, starting at the beginning of the bus; SHOP_EREFUSED if they exist with
 * another number of partitions. */
int consumer_open(struct consumer **out, PGconn *conn, const struct subscription *sub,
                  void *handler_ctx, const struct consumer_options *opt);

/* What consumer_poll did. */
struct consumer_stats {
    unsigned long handled;       /* handler returned 0 */
    unsigned long duplicates;    /* already in the inbox: skipped */
    unsigned long retried;       /* failed, parked for another attempt */
    unsigned long dead_lettered; /* given up */
    unsigned long passed;        /* types the subscription does not handle */
};

/*
 * One pass over every partition whose lock is free: its due retries, then its new
 * messages, up to `batch` of each, one transaction per partition.  Adds what it did to
 * *stats (may be NULL).  SHOP_EUNAVAILABLE when the database is gone.
 */
int consumer_poll(struct consumer *c, struct consumer_stats *stats);

/* Totals since consumer_open. */
void consumer_totals(const struct consumer *c, struct consumer_stats *out);

void consumer_close(struct consumer *c);

/* The worker (worker.h) that runs a consumer: it LISTENs on shop_bus, and its arg is a
 * struct consumer_worker_arg (which must outlive the worker). */
struct consumer_worker_arg {
    const struct subscription *sub;
    const struct consumer_options *opt; /* may be NULL: defaults */
    void *handler_arg;                  /* passed to sub->open */
};
struct worker_def;
extern const struct worker_def consumer_worker;

#endif
