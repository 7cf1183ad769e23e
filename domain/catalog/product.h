/*
 * domain/catalog/product.h — the Product aggregate of the Catalog context (DDD aggregate,
 * stored as a state row, written as a decider).
 *
 * Catalog is a supporting, CRUD-shaped context: a product is a SKU, a name and a unit
 * price.  It is still written as a decider, like Ordering's Order:
 *   decide  (state, command) -> events | refusal     product_decide_add/change_price
 *   evolve  (state, event)   -> state                product_evolve
 * The difference is only in how the state is kept: Catalog stores the state itself (one
 * row per product with a version column, application/catalog/product_repository.h), not
 * the events.  The events (ProductAdded, PriceChanged) are what the other contexts will
 * hear about: Ordering keeps its own replica of the prices (docs/architecture.md §2).
 *
 * Rules (docs/cli.md "Domain rules a user meets"):
 *   - SKU: domain/shared/sku.h;
 *   - name: 1..PRODUCT_NAME_MAX_CHARACTERS characters of UTF-8, no control characters,
 *     not all spaces;
 *   - price: above zero, and below PRODUCT_PRICE_LIMIT_MAJOR major units of its currency
 *     (below 1,000,000.00 EUR); at most the currency's decimals, which money_parse
 *     already enforces (domain/shared/money.h);
 *   - adding a SKU that exists is refused; changing the price of a SKU that does not
 *     exist is "unknown SKU"; changing a price to the price it has changes nothing.
 *
 * Read next: domain/catalog/product.c, tests/unit/product_test.c, then
 * application/catalog/catalog_service.c.
 */
#ifndef SHOP_DOMAIN_CATALOG_PRODUCT_H
#define SHOP_DOMAIN_CATALOG_PRODUCT_H

#include "domain/shared/money.h"
#include "domain/shared/sku.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- value objects ---- */

#define PRODUCT_NAME_MAX_CHARACTERS 100
/* At most 4 bytes of UTF-8 a character. */
#define PRODUCT_NAME_MAX_BYTES (4 * PRODUCT_NAME_MAX_CHARACTERS)

typedef struct product_name {
    char text[PRODUCT_NAME_MAX_BYTES + 1]; /* valid UTF-8, NUL-terminated */
} product_name;

/*
 * SHOP_EINVALID, naming the rule: "name must be 1-100 characters, got 101", "name must
 * not contain control characters, got U+0009 at character 4", "name must be valid UTF-8,
 * ...", "name must not be blank".  *out is "" after a refusal.
 */
int product_name_parse(product_name *out, const char *text);

/* Prices are below this many major units of their currency: 1,000,000.00 EUR is too much. */
#define PRODUCT_PRICE_LIMIT_MAJOR 1000000

/*
 * The price rule: SHOP_EINVALID "price must be above 0, got 0.00 EUR" or "price must be
 * below 1000000.00 EUR, got 1000000.00 EUR"; also for a Money without a currency.
 */
int product_price_check(money price);

/* ---- state: what evolve folds events into ---- */

typedef struct product {
    bool exists; /* false: no such product yet (the state before ProductAdded) */
    sku sku;
    product_name name;
    money price;
} product;

/* The state before the first event: exists is false, nothing else set. */
void product_init(product *out);

/* ---- commands ---- */

typedef struct add_product {
    sku sku;
    product_name name;
    money price;
    int64_t at_us; /* the handler's clock */
} add_product;

typedef struct change_price {
    sku sku;
    money price;
    int64_t at_us;
} change_price;

/* ---- events ---- */

enum product_event_type {
    PRODUCT_ADDED = 1,
    PRODUCT_PRICE_CHANGED,
};

/* "ProductAdded", "PriceChanged" ("unknown" otherwise). */
const char *product_event_type_name(enum product_event_type t);

struct product_added {
    product_name name;
    money price;
};

struct product_price_changed {
    money old_price;
    money new_price;
};

typedef struct product_event {
    enum product_event_type type;
    sku sku;
    int64_t at_us; /* when it happened, by the handler's clock */
    union {
        struct product_added added;
        struct product_price_changed price_changed;
    } as;
} product_event;

/* The most events one decision produces. */
#define PRODUCT_MAX_DECIDED_EVENTS 1

/*
 * decide: each returns 0 and sets *out_count to the number of events written to out (0
 * when nothing changes: a price changed to the price it has), or refuses:
 *   SHOP_EINVALID  the command breaks a rule of its own (name, price)
 *   SHOP_EREFUSED  adding a product that exists: "product ABC-1 already exists"
 *   SHOP_ENOTFOUND changing the price of a product that does not: "unknown SKU ABC-1"
 * with shop_error_message() naming the rule.  Nothing is written to out on refusal.
 */
int product_decide_add(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                       const product *state, const add_product *cmd);
int product_decide_change_price(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                                const product *state, const change_price *cmd);

/* evolve: applies one event that decide produced to state, in place. */
void product_evolve(product *state, const product_event *event);

#endif
