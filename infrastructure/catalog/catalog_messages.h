/*
 * infrastructure/catalog/catalog_messages.h — Catalog's published language: its domain
 * events told to the other contexts as integration events (event-driven architecture;
 * docs/contracts/events/).
 *
 * Pattern: a translator at the edge of a context (the published-language side of an
 * anti-corruption layer).  ProductAdded and PriceChanged stay Catalog's own structs;
 * what leaves the context is the JSON the schemas in docs/contracts/events/ fix:
 *   catalog.ProductAdded  v1  {"sku", "name", "price", "catalog_version": 1, "added_at"}
 *   catalog.PriceChanged  v1  {"sku", "price", "catalog_version": N, "changed_at"}
 * on the stream "product-<SKU>", money as "24.90 EUR", times in RFC 3339 UTC with
 * microseconds.  catalog_version is the product's version after the save that recorded
 * the event (the repository's version column): a subscriber keeps the newest it has seen
 * and ignores older ones (Ordering's price replica).
 * The repositories (product_repository_pg.c, product_repository_memory.c) call it to
 * write their outbox; tests/unit/published_language_test.c checks it against the
 * golden examples, so this code and the contract cannot drift apart.
 * Read next: catalog_messages.c, docs/contracts/events/README.md
 */
#ifndef SHOP_INFRASTRUCTURE_CATALOG_CATALOG_MESSAGES_H
#define SHOP_INFRASTRUCTURE_CATALOG_CATALOG_MESSAGES_H

#include "application/messaging/message.h"
#include "domain/catalog/product.h"

#include <stdint.h>

#define CATALOG_PRODUCT_ADDED  "catalog.ProductAdded"
#define CATALOG_PRICE_CHANGED  "catalog.PriceChanged"
#define CATALOG_SCHEMA_VERSION 1

/* "product-<SKU>": the stream of one product's messages. */
void catalog_message_stream(char out[MESSAGE_STREAM_MAX + 1], const sku *product_sku);

/*
 * The integration event of one product event: *out filled (type, schema version, stream,
 * payload malloc'd: free with outgoing_message_dispose), with meta's ids.
 * catalog_version >= 1 is the product's version the event leads to.  SHOP_EINVALID for
 * an event type this code does not publish or a price without a currency.
 */
int catalog_message_from_event(struct outgoing_message *out, const product_event *event,
                               int64_t catalog_version, const struct message_meta *meta);

#endif
