/*
 * application/messaging/message.h — an integration event: what one context tells the
 * others (event-driven architecture, docs/patterns/event-driven.md).
 *
 * Domain events stay inside their context (Ordering's OrderPlaced as its event store
 * keeps it).  The events other contexts need are translated into integration events, the
 * published language: a type ("ordering.OrderPlaced"), a schema version, and a JSON
 * payload whose shape docs/contracts/events/<type>.v<N>.schema.json fixes.  Every message
 * also carries the ids of docs/architecture.md §10 (message_meta) and a stream, the key
 * that keeps order: a subscriber sees the messages of one stream in the order they were
 * published ("order-<id>", "product-<sku>").
 *
 * The path of a message: the context's outbox (same transaction as the change) → its
 * relay (infrastructure/messaging/relay.h) → the bus (messaging.bus) → each subscriber's
 * consumer (infrastructure/messaging/consumer.h).
 * Read next: infrastructure/messaging/relay.h, infrastructure/messaging/consumer.h
 */
#ifndef SHOP_APPLICATION_MESSAGING_MESSAGE_H
#define SHOP_APPLICATION_MESSAGING_MESSAGE_H

#include "application/shared/message_meta.h"

#include <stdint.h>
#include <stdlib.h>

#define MESSAGE_TYPE_MAX    80  /* "<context>.<Event>": "catalog.PriceChanged" */
#define MESSAGE_STREAM_MAX  100 /* "order-0190a6f4-...", "product-LAMP-1" */
#define MESSAGE_CONTEXT_MAX 32  /* "catalog" */

/* A message to publish.  meta.message_id is the message's id (unique on the bus:
 * publishing the same id twice stores it once).  payload is owned (malloc'd). */
struct outgoing_message {
    char type[MESSAGE_TYPE_MAX + 1];
    int schema_version;
    char stream[MESSAGE_STREAM_MAX + 1];
    char *payload; /* a JSON object, as text */
    struct message_meta meta;
};

/* A message as the bus holds it, handed to a subscriber.  payload is owned. */
struct message {
    int64_t position;        /* on the bus: increasing in publish order, gaps allowed */
    uint64_t transaction_id; /* the publishing transaction (the bus is read in this order) */
    char type[MESSAGE_TYPE_MAX + 1];
    int schema_version;
    char source[MESSAGE_CONTEXT_MAX + 1]; /* the publishing context */
    char stream[MESSAGE_STREAM_MAX + 1];
    char *payload; /* JSON object text */
    struct message_meta meta;
    int64_t published_at_us;
};

static inline void outgoing_message_dispose(struct outgoing_message *m)
{
    free(m->payload);
    m->payload = NULL;
}

static inline void message_dispose(struct message *m)
{
    free(m->payload);
    m->payload = NULL;
}

#endif
