/*
 * tests/support/commands.c — see commands.h.
 */
#include "tests/support/commands.h"

#include "domain/shared/error.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *test_command_id(int n)
{
    static char text[UUID_STRING_SIZE];
    snprintf(text, sizeof text, "0190c000-0000-7000-8000-%012d", n);
    return text;
}

struct message test_command(const char *type, const char *order, int n, const char *payload)
{
    struct message m = {.position = n, .schema_version = 1};
    snprintf(m.type, sizeof m.type, "%s", type);
    snprintf(m.source, sizeof m.source, "ordering");
    snprintf(m.stream, sizeof m.stream, "order-%s", order);
    cr_assert_eq(uuid_parse(&m.meta.message_id, test_command_id(n)), 0);
    cr_assert_eq(uuid_parse(&m.meta.correlation_id, order), 0);
    snprintf(m.meta.traceparent, sizeof m.meta.traceparent, "%s", TEST_TRACEPARENT);
    m.payload = strdup(payload);
    cr_assert_not_null(m.payload);
    return m;
}

int test_command_handle(PGconn *conn, const struct subscription *sub, void *handler,
                        const struct message *m)
{
    test_db_exec(conn, "BEGIN");
    shop_error_clear();
    int rc = sub->handle(handler, m);
    test_db_exec(conn, rc == 0 ? "COMMIT" : "ROLLBACK");
    return rc;
}

void test_command_publish(PGconn *conn, const struct message *m)
{
    char id[UUID_STRING_SIZE], correlation[UUID_STRING_SIZE];
    const char *params[] = {uuid_format(id, m->meta.message_id),
                            m->type,
                            m->stream,
                            m->payload,
                            uuid_format(correlation, m->meta.correlation_id),
                            m->meta.traceparent};
    PGresult *res = PQexecParams(
        conn,
        "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,"
        " correlation_id, traceparent)"
        " VALUES ($1::uuid, $2, 1, 'ordering', $3, $4::jsonb, $5::uuid, $6)",
        6, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "publishing %s: %s", m->type,
                 PQerrorMessage(conn));
    PQclear(res);
}

const char *test_query(PGconn *conn, const char *sql)
{
    static char value[4096];
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(conn));
    cr_assert_gt(PQntuples(res), 0, "%s: no row", sql);
    snprintf(value, sizeof value, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    PQclear(res);
    return value;
}

long test_query_long(PGconn *conn, const char *sql)
{
    return atol(test_query(conn, sql));
}

void test_pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

void test_poll_until(struct consumer *c, PGconn *check_conn, const char *sql, long expected)
{
    long got = -1;
    for (int i = 0; i < 2000; i++) {
        cr_assert_eq(consumer_poll(c, NULL), 0, "%s", shop_error_message());
        if ((got = test_query_long(check_conn, sql)) == expected)
            return;
        test_pause_ms(10);
    }
    cr_assert_fail("after 20 s, %s gives %ld, not %ld", sql, got, expected);
}
