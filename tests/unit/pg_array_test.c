/*
 * tests/unit/pg_array_test.c — PostgreSQL array literals as infrastructure/postgres/pg_array.c
 * writes them (no server needed; tests/contract/event_store_contract.c sends such literals
 * to a real one and reads the text back unchanged).
 */
#include "infrastructure/postgres/pg_array.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

Test(an_array_literal, is_empty_braces_without_elements)
{
    struct pg_array a;
    pg_array_init(&a);
    cr_expect_str_eq(pg_array_text(&a), "{}");
    pg_array_dispose(&a);
}

Test(an_array_literal, quotes_every_element_and_escapes_quotes_and_backslashes)
{
    struct pg_array a;
    pg_array_init(&a);
    pg_array_add(&a, "OrderPlaced");
    pg_array_add(&a, "");
    pg_array_add(&a, "NULL");
    pg_array_add(&a, "say \"hi\", {x}");
    pg_array_add(&a, "C:\\temp\\");
    cr_expect_str_eq(pg_array_text(&a),
                     "{\"OrderPlaced\",\"\",\"NULL\",\"say \\\"hi\\\", {x}\",\"C:\\\\temp\\\\\"}");
    pg_array_dispose(&a);
}

Test(an_array_literal, holds_integers_and_grows_as_needed)
{
    struct pg_array a;
    pg_array_init(&a);
    pg_array_add_int64(&a, INT64_MIN);
    pg_array_add_int64(&a, 7);
    cr_expect_str_eq(pg_array_text(&a), "{\"-9223372036854775808\",\"7\"}");
    for (int i = 0; i < 1000; i++)
        pg_array_add(&a, "\"\\\"\\");
    cr_expect_eq(a.count, 1002);
    /* each element: two quotes around four escaped characters, and a comma */
    cr_expect_eq(strlen(pg_array_text(&a)), 28 + 1000 * (2 + 8 + 1));
    pg_array_dispose(&a);
}
