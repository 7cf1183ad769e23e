/*
 * tests/support/commands.h — the saga's commands as a participant receives them, for the
 * tests of Inventory, Payments and Shipping as participants (tests/integration/
 * *_commands_test.c): messages built as Ordering's relay publishes them, put on
 * messaging.bus or handed to a handler in a transaction the test owns, and small readers
 * of what came out.
 */
#ifndef SHOP_TESTS_SUPPORT_COMMANDS_H
#define SHOP_TESTS_SUPPORT_COMMANDS_H

#include "infrastructure/messaging/consumer.h"

#include <libpq-fe.h>
#include <stddef.h>

#define TEST_TRACEPARENT "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

/* Command number n (its message id "0190c000-0000-7000-8000-<n, 12 digits>") of type
 * for order (a UUID's text), on the stream "order-<order>", correlation = the order,
 * traceparent TEST_TRACEPARENT.  payload is copied; message_dispose() frees it. */
struct message test_command(const char *type, const char *order, int n, const char *payload);

/* The message id text of command n. */
const char *test_command_id(int n);

/* Runs sub's handler on m inside BEGIN ... COMMIT on conn (ROLLBACK when it fails), as
 * the consumer does; returns what the handler returned. */
int test_command_handle(PGconn *conn, const struct subscription *sub, void *handler,
                        const struct message *m);

/* Puts m on messaging.bus, as Ordering's relay would (source "ordering"). */
void test_command_publish(PGconn *conn, const struct message *m);

/* The first value of a query that must succeed ("" for NULL), in static storage. */
const char *test_query(PGconn *conn, const char *sql);
long test_query_long(PGconn *conn, const char *sql);

/* consumer_poll until `sql` on check_conn gives `expected`, within 20 s (the bus shows a
 * message only once every older transaction of the cluster has ended). */
void test_poll_until(struct consumer *c, PGconn *check_conn, const char *sql, long expected);

/* Sleeps ms: only between two looks at a condition, never to let things settle. */
void test_pause_ms(long ms);

#endif
