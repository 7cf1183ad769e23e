/*
 * application/shared/message_meta.h — the ids every message carries (docs/architecture.md §10).
 *
 * A command handler receives them with the command and stamps them on every event it
 * records, so that `shop trace` (a later issue) can rebuild the causal tree of an order:
 *   message id      this message, unique
 *   correlation id  the conversation it belongs to (the order)
 *   causation id    the message that caused this one (nil for a user's command)
 *   traceparent     the W3C Trace Context header of the request that started it, or ""
 * Read next: application/eventstore/event_store.h
 */
#ifndef SHOP_APPLICATION_SHARED_MESSAGE_META_H
#define SHOP_APPLICATION_SHARED_MESSAGE_META_H

#include "domain/shared/uuid.h"

#include <stdbool.h>

/* "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>": 55 characters and the NUL. */
#define TRACEPARENT_SIZE 56

struct message_meta {
    shop_uuid message_id;
    shop_uuid correlation_id;
    shop_uuid causation_id;
    char traceparent[TRACEPARENT_SIZE]; /* "" when there is none */
};

/* True for "" and for a well-formed version-00 traceparent (lower-case hex, ids not all zero). */
bool message_meta_traceparent_valid(const char *traceparent);

/* A new traceparent that starts a trace: random trace and parent ids, flags 01
 * (sampled).  SHOP_EIO if the kernel's random source fails (out is then ""). */
int message_meta_new_traceparent(char out[TRACEPARENT_SIZE]);

#endif
