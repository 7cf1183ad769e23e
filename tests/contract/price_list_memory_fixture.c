/*
 * tests/contract/price_list_memory_fixture.c — the price-list contract on the in-memory
 * adapter.
 */
#include "infrastructure/memory/price_list_memory.h"
#include "tests/contract/price_list_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static struct price_list *current;

struct price_list *contract_prices_new(void)
{
    cr_assert_eq(price_list_memory_new(&current), 0);
    return current;
}

void contract_prices_set(const char *code, const char *price)
{
    sku s;
    money m;
    cr_assert_eq(sku_parse(&s, code), 0);
    cr_assert_eq(money_parse(&m, price, NULL), 0);
    price_list_memory_set(current, &s, m);
}

void contract_prices_free(struct price_list *prices) { price_list_free(prices); }
