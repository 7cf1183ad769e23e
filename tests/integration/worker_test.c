/*
 * tests/integration/worker_test.c — background workers on a real PostgreSQL: a service's
 * relay started and stopped with the service (infrastructure/service/serve.c), and a
 * consumer woken by NOTIFY rather than by its poll (infrastructure/messaging/worker.c).
 * Killing workers, reconnecting and polling without LISTEN are tested on real processes
 * in tests/integration/messaging_process_test.sh.
 * Read next: infrastructure/messaging/worker.c
 */
#include "domain/shared/error.h"
#include "infrastructure/messaging/consumer.h"
#include "infrastructure/messaging/relay.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/connection.h"
#include "infrastructure/service/serve.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
}

static void teardown(void)
{
    test_db_drop(db, db_name);
}

static long query_long(const char *sql)
{
    PGresult *res = PQexec(db, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(db));
    long v = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

/* Waits (20 s at most) until sql counts expected. */
static bool wait_for(const char *sql, long expected)
{
    for (int i = 0; i < 1000; i++) {
        if (query_long(sql) == expected)
            return true;
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return false;
}

static void record_in_outbox(void)
{
    test_db_exec(db, "INSERT INTO catalog.outbox (message_id, type, schema_version, stream,"
                     " payload) VALUES (gen_random_uuid(), 'catalog.PriceChanged', 1,"
                     " 'product-A', '{\"seq\": 1}')");
}

/* ---- a service with a relay beside its API ---- */

static struct relay_source catalog_outbox = {.context = "catalog", .kind = RELAY_OUTBOX_TABLE};

static int open_nothing(struct service_instance *out, struct service_env *env)
{
    (void)env;
    memset(out, 0, sizeof *out);
    return 0;
}

static size_t relay_only(struct worker_def *defs, void **args, size_t max)
{
    cr_assert_geq(max, 1);
    relay_worker_def(&defs[0], &catalog_outbox);
    args[0] = &catalog_outbox;
    return 1;
}

static const struct service_def catalog_with_relay = {
    .name = "catalog", .db_role = "shop_catalog", .open = open_nothing, .workers = relay_only};

TestSuite(a_service_worker, .init = setup, .fini = teardown, .timeout = 60);

Test(a_service_worker, relays_beside_the_api_as_the_services_role_and_stops_with_it)
{
    char conninfo[128];
    snprintf(conninfo, sizeof conninfo, "dbname=%s", db_name);
    struct serve_options options = {.conninfo = conninfo, .host = "127.0.0.1", .port = 0};
    struct served *s;
    cr_assert_eq(serve_open(&s, &catalog_with_relay, &options), 0, "%s", shop_error_message());
    cr_assert_eq(serve_start_thread(s), 0);
    record_in_outbox();
    cr_assert(wait_for("SELECT count(*) FROM messaging.bus", 1), "the relay did not publish");
    cr_assert_eq(query_long("SELECT count(*) FROM messaging.relays WHERE owner = 'shop_catalog'"),
                 1, "the worker runs as the service's role");

    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)serve_port(s));
    struct test_reply reply;
    test_http(&reply, url, "GET", "/metrics", NULL);
    cr_assert_eq(reply.status, 200);
    cr_assert(
        strstr(reply.body, "shop_worker_steps_total{service=\"catalog\",worker=\"catalog relay\"}"),
        "%s", reply.body);
    cr_assert(strstr(reply.body, "shop_worker_failures_total{service=\"catalog\",worker=\"catalog "
                                 "relay\"} 0"),
              "%s", reply.body);
    test_reply_dispose(&reply);

    serve_stop(s);
    serve_close(s);
    cr_assert(wait_for("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid()",
                       0),
              "the worker's connection outlived its service");
}

/* ---- woken by NOTIFY ---- */

static int count_handled(void *ctx, const struct message *m)
{
    (void)m;
    (*(int *)ctx)++;
    return 0;
}

static const struct subscription counter = {.name = "test.counter",
                                            .inbox_schema = "ordering",
                                            .types = {"catalog.PriceChanged"},
                                            .handle = count_handled};

static int connect_test_db(PGconn **out, void *arg)
{
    (void)arg;
    char conninfo[128];
    snprintf(conninfo, sizeof conninfo, "dbname=%s", db_name);
    return pg_connect(out, conninfo, "worker-test", false);
}

Test(a_service_worker, is_woken_by_a_notification_long_before_its_poll)
{
    int handled = 0;
    struct consumer_worker_arg arg = {.sub = &counter, .handler_arg = &handled};
    struct worker *w;
    /* A poll every minute: only the NOTIFY (and the quick looks again after it, while an
     * older transaction elsewhere in the cluster keeps the message out of sight) can
     * bring the message within the deadline. */
    struct worker_options opt = {.poll_ms = 60000, .listen = 1};
    cr_assert_eq(worker_start(&w, &consumer_worker, &arg, connect_test_db, NULL, &opt), 0);
    /* Ready once its subscription exists (it LISTENs before it opens the consumer). */
    cr_assert(
        wait_for("SELECT count(*) FROM messaging.subscriptions", CONSUMER_DEFAULT_PARTITIONS));
    test_db_exec(db, "INSERT INTO messaging.bus (message_id, type, schema_version, source,"
                     " stream, payload) VALUES (gen_random_uuid(), 'catalog.PriceChanged', 1,"
                     " 'catalog', 'product-A', '{}')");
    cr_assert(wait_for("SELECT count(*) FROM ordering.inbox", 1), "not woken");
    struct worker_stats st;
    worker_stats(w, &st);
    cr_assert_geq(st.wakeups, 1);
    cr_assert_eq(st.failures, 0);
    worker_stop(w);
    cr_assert_eq(handled, 1);
}
