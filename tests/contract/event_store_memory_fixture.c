/*
 * tests/contract/event_store_memory_fixture.c — runs the event-store contract against the
 * in-memory adapter.
 *
 * Its clock starts at the real time and moves on one millisecond at every reading, so
 * every append (a transaction) has its own, later, time: the "as of a time" scenarios
 * never see two appends tie, as they could within one microsecond of a real clock.  The
 * slow writer is the adapter's model of another transaction (event_store_memory_open_other).
 */
#include "infrastructure/memory/event_store_memory.h"
#include "tests/contract/event_store_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <time.h>

struct stepping_clock {
    struct shop_clock base;
    int64_t next_us;
};

static int64_t stepping_now_us(struct shop_clock *self)
{
    struct stepping_clock *c = (struct stepping_clock *)self;
    int64_t now = c->next_us;
    c->next_us += 1000;
    return now;
}

static void stepping_free(struct shop_clock *self)
{
    (void)self;
}

static struct stepping_clock clock_;
static struct event_store *current;
static uint64_t slow_transaction;

struct event_store *contract_es_new(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    clock_ = (struct stepping_clock){{SHOP_CLOCK_VERSION, stepping_now_us, stepping_free},
                                     (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000};
    cr_assert_eq(event_store_memory_new(&current, &clock_.base), 0);
    return current;
}

void contract_es_free(struct event_store *store)
{
    es_free(store);
    current = NULL;
}

void contract_es_begin_slow_writer(void)
{
    cr_assert_eq(event_store_memory_open_other(current, &slow_transaction), 0);
}

void contract_es_slow_writer_append(const char *stream_id, const struct es_new_event *event)
{
    cr_assert_eq(
        event_store_memory_append_in(current, slow_transaction, stream_id, ES_EXPECT_ANY, event, 1),
        0, "%s", shop_error_message());
}

void contract_es_start_slow_writer(const char *stream_id, const struct es_new_event *event)
{
    contract_es_begin_slow_writer();
    contract_es_slow_writer_append(stream_id, event);
}

void contract_es_finish_slow_writer(int commit)
{
    cr_assert_eq(event_store_memory_end(current, slow_transaction, commit), 0, "%s",
                 shop_error_message());
}
