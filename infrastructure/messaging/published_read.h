/*
 * infrastructure/messaging/published_read.h — how a subscriber reads the fields of a
 * message of the published language (docs/contracts/events/, and the saga's commands):
 * strictly, each value through the shared kernel's parser, and a refusal that names the
 * message type and the field.
 *
 * Pattern: the reading side of the published language, the first wall of a subscriber's
 * anti-corruption layer.  A payload that breaks its contract can never be handled: every
 * refusal here is SHOP_EINVALID, which the consumer dead-letters at once
 * (consumer.h), so a poison message never blocks its stream with retries.
 * Read next: infrastructure/inventory/inventory_commands.c (a reader)
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_PUBLISHED_READ_H
#define SHOP_INFRASTRUCTURE_MESSAGING_PUBLISHED_READ_H

#include "application/messaging/message.h"
#include "domain/shared/money.h"
#include "domain/shared/uuid.h"

#include <cjson/cJSON.h>

/* m's payload as one JSON object and nothing after it, for schema version 1 only; *out
 * is the caller's (cJSON_Delete).  SHOP_EINVALID otherwise. */
int published_read_object(cJSON **out, const struct message *m);

/* SHOP_EINVALID "<type>: field "<field>": <why>" (the consumer's dead-letter reason). */
int published_refuse(const struct message *m, const char *field, const char *why);

/* A string member (borrowed from root); SHOP_EINVALID if missing or not a string. */
int published_get_string(const char **out, const cJSON *root, const char *field,
                         const struct message *m);

/* A lower-case UUID member. */
int published_get_uuid(shop_uuid *out, const cJSON *root, const char *field,
                       const struct message *m);

/* A time member in the shape the schemas fix, "2024-06-10T06:13:20.000000Z" (RFC 3339,
 * UTC, microseconds; the shape only, not a calendar check). */
int published_get_time(const cJSON *root, const char *field, const struct message *m);
/* A money member, "24.90 EUR", above 0. */
int published_get_money(money *out, const cJSON *root, const char *field, const struct message *m);

#endif
