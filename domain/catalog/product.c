/*
 * domain/catalog/product.c — the Product aggregate as a decider (DDD aggregate).
 *
 * Pattern: decide (state, command) -> events | refusal, and evolve (state, event) -> state,
 * both pure: no heap, no clock, no I/O.  Each decide checks the product's state first (does
 * it exist?) and then the command's own rules, and writes `out` only once every rule has
 * passed.  A command is plain data, so decide checks its name and price again even when
 * they were made by product_name_parse and money_parse: a command filled in by hand cannot
 * slip past the rules.
 *
 * Read next: tests/unit/product_test.c (every rule as given / when / then), then
 * application/catalog/catalog_service.c, which loads, decides and saves.
 */
#include "domain/catalog/product.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdint.h>
#include <string.h>

/* ---- value objects ---- */

int product_name_parse(product_name *out, const char *text)
{
    size_t characters, bytes;

    out->text[0] = '\0';
    text = text ? text : "";
    /* Stop at the 101st character: a long text is refused without reading it all. */
    int rc = text_check_line(&characters, &bytes, "name", text, PRODUCT_NAME_MAX_CHARACTERS + 1);
    if (rc < 0)
        return rc;
    if (characters == 0)
        return shop_error_set(SHOP_EINVALID, "name must be 1-%d characters, got 0",
                              PRODUCT_NAME_MAX_CHARACTERS);
    if (characters > PRODUCT_NAME_MAX_CHARACTERS)
        return shop_error_set(SHOP_EINVALID, "name must be 1-%d characters, got more than %d",
                              PRODUCT_NAME_MAX_CHARACTERS, PRODUCT_NAME_MAX_CHARACTERS);
    /* No control characters are left, so spaces are the only blanks to look for. */
    if (strspn(text, " ") == bytes)
        return shop_error_set(SHOP_EINVALID, "name must not be blank");
    /* At most 100 code points of at most 4 bytes each: it fits. */
    memcpy(out->text, text, bytes + 1);
    return 0;
}

int product_price_check(money price)
{
    char text[MONEY_FORMAT_MAX], limit_text[MONEY_FORMAT_MAX];

    if (!price.currency)
        return shop_error_set(SHOP_EINVALID, "price has no currency");
    money_format(text, sizeof text, price);
    if (!money_is_positive(price))
        return shop_error_set(SHOP_EINVALID, "price must be above 0, got %s", text);
    /* At most 10^4 minor units a major unit (ISO 4217's largest exponent): no overflow. */
    money limit = money_make(price.currency,
                             PRODUCT_PRICE_LIMIT_MAJOR * currency_minor_per_major(price.currency));
    if (price.minor >= limit.minor) {
        money_format(limit_text, sizeof limit_text, limit);
        return shop_error_set(SHOP_EINVALID, "price must be below %s, got %s", limit_text, text);
    }
    return 0;
}

/* The name inside a command: NUL-terminated within its array and obeying the rule. */
static int check_name(const product_name *name)
{
    product_name copy;

    if (!memchr(name->text, '\0', sizeof name->text))
        return shop_error_set(SHOP_EINVALID, "name must be 1-%d characters, got more than %d",
                              PRODUCT_NAME_MAX_CHARACTERS, PRODUCT_NAME_MAX_CHARACTERS);
    return product_name_parse(&copy, name->text);
}

/* ---- names ---- */

const char *product_event_type_name(enum product_event_type t)
{
    switch (t) {
    case PRODUCT_ADDED: return "ProductAdded";
    case PRODUCT_PRICE_CHANGED: return "PriceChanged";
    }
    return "unknown";
}

void product_init(product *out)
{
    memset(out, 0, sizeof *out);
}

/* ---- deciding ---- */

int product_decide_add(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                       const product *state, const add_product *cmd)
{
    int rc;

    *out_count = 0;
    if (state->exists)
        return shop_error_set(SHOP_EREFUSED, "product %s already exists", cmd->sku.code);
    if ((rc = check_name(&cmd->name)) < 0 || (rc = product_price_check(cmd->price)) < 0)
        return rc;

    out[0] = (product_event){.type = PRODUCT_ADDED, .sku = cmd->sku, .at_us = cmd->at_us};
    out[0].as.added.name = cmd->name;
    out[0].as.added.price = cmd->price;
    *out_count = 1;
    return 0;
}

int product_decide_change_price(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                                const product *state, const change_price *cmd)
{
    int rc;

    *out_count = 0;
    if (!state->exists)
        return shop_error_set(SHOP_ENOTFOUND, "unknown SKU %s", cmd->sku.code);
    if ((rc = product_price_check(cmd->price)) < 0)
        return rc;
    if (money_equal(state->price, cmd->price))
        return 0; /* the price it has: nothing changes, nothing to tell anyone */

    out[0] = (product_event){.type = PRODUCT_PRICE_CHANGED, .sku = cmd->sku, .at_us = cmd->at_us};
    out[0].as.price_changed.old_price = state->price;
    out[0].as.price_changed.new_price = cmd->price;
    *out_count = 1;
    return 0;
}

/* ---- evolving ---- */

void product_evolve(product *state, const product_event *event)
{
    switch (event->type) {
    case PRODUCT_ADDED:
        state->exists = true;
        state->sku = event->sku;
        state->name = event->as.added.name;
        state->price = event->as.added.price;
        return;
    case PRODUCT_PRICE_CHANGED: state->price = event->as.price_changed.new_price; return;
    }
    /* An event type this version does not know: the state stays as it was. */
}
