/*
 * tests/contract/event_store_pg_fixture.c — runs the event-store contract against the
 * PostgreSQL adapter, each test in a fresh, migrated database.
 *
 * The slow writer is a real second writer: its own connection, BEGIN, then an append
 * through a second adapter on that connection, which joins the open transaction (the
 * port's promise); it stays open until contract_es_finish_slow_writer.  Started in one step,
 * its transaction id is assigned by that append's INSERT.
 */
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/contract/event_store_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static PGconn *slow_conn;
static struct event_store *slow_store;

struct event_store *contract_es_new(void)
{
    struct event_store *s;
    db = test_db_create(db_name);
    test_db_migrate(db);
    cr_assert_eq(event_store_pg_new(&s, db, "ordering"), 0, "%s", shop_error_message());
    return s;
}

static void end_slow_writer(void)
{
    es_free(slow_store);
    slow_store = NULL;
    PQfinish(slow_conn);
    slow_conn = NULL;
}

void contract_es_free(struct event_store *store)
{
    es_free(store);
    if (slow_conn)
        end_slow_writer();
    test_db_drop(db, db_name);
    db = NULL;
}

void contract_es_begin_slow_writer(void)
{
    slow_conn = test_db_connect(db_name, NULL);
    cr_assert_eq(event_store_pg_new(&slow_store, slow_conn, "ordering"), 0, "%s",
                 shop_error_message());
    test_db_exec(slow_conn, "BEGIN");
    test_db_exec(slow_conn, "SELECT pg_current_xact_id()"); /* takes the id now */
}

void contract_es_slow_writer_append(const char *stream_id, const struct es_new_event *event)
{
    cr_assert_eq(es_append(slow_store, NULL, stream_id, ES_EXPECT_ANY, event, 1, NULL), 0, "%s",
                 shop_error_message());
    cr_assert_eq(PQtransactionStatus(slow_conn), PQTRANS_INTRANS,
                 "the append joined BEGIN's transaction and left it open");
}

void contract_es_start_slow_writer(const char *stream_id, const struct es_new_event *event)
{
    slow_conn = test_db_connect(db_name, NULL);
    cr_assert_eq(event_store_pg_new(&slow_store, slow_conn, "ordering"), 0, "%s",
                 shop_error_message());
    test_db_exec(slow_conn, "BEGIN");
    contract_es_slow_writer_append(stream_id, event);
}

void contract_es_finish_slow_writer(int commit)
{
    test_db_exec(slow_conn, commit ? "COMMIT" : "ROLLBACK");
    end_slow_writer();
}
