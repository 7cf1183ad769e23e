/*
 * infrastructure/messaging/crash_point.c — see crash_point.h.
 *
 * Fault injection for the tests of "what if the process dies right here": the relay
 * between its bus insert and its commit, the consumer between the handler and the
 * commit.  SIGKILL, not abort() or exit(): nothing of the process runs after it (no
 * atexit, no buffered output, no libpq goodbye), so the database sees exactly what a
 * power cut would leave, a connection that vanished mid-transaction, and rolls back.
 * The environment is read once; the count of passes is shared by the threads of the
 * process (an atomic), so "relay.after-commit:3" is the third commit of the process.
 * Read next: relay.c, consumer.c (where the points are),
 * tests/integration/messaging_process_test.sh
 */
#include "infrastructure/messaging/crash_point.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRASH_POINT_NAME_MAX 64

static char armed_name[CRASH_POINT_NAME_MAX + 1];
static unsigned long armed_at = 1; /* the pass that dies: 1 = the first */
static atomic_ulong passes;
static pthread_once_t read_once = PTHREAD_ONCE_INIT;

/* SHOP_CRASH_POINT=NAME or NAME:N (N >= 1).  Anything malformed arms nothing, loudly:
 * a test that meant to crash the process must not pass because it did not. */
static void read_environment(void)
{
    const char *value = getenv("SHOP_CRASH_POINT");
    if (!value || !*value)
        return;
    const char *colon = strchr(value, ':');
    size_t len = colon ? (size_t)(colon - value) : strlen(value);
    if (len == 0 || len > CRASH_POINT_NAME_MAX) {
        fprintf(stderr, "shop: SHOP_CRASH_POINT '%s' is not NAME or NAME:N; ignored\n", value);
        return;
    }
    if (colon) {
        char *end;
        unsigned long n = strtoul(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || n == 0) {
            fprintf(stderr, "shop: SHOP_CRASH_POINT '%s': N must be a number >= 1; ignored\n",
                    value);
            return;
        }
        armed_at = n;
    }
    memcpy(armed_name, value, len);
    armed_name[len] = '\0';
}

void crash_point(const char *name)
{
    pthread_once(&read_once, read_environment);
    if (armed_name[0] == '\0' || strcmp(name, armed_name) != 0)
        return;
    if (atomic_fetch_add(&passes, 1) + 1 != armed_at)
        return;
    /* One line for the test's log, written straight to the descriptor (stderr may be
     * buffered, and nothing buffered survives what comes next). */
    char line[128];
    int n = snprintf(line, sizeof line, "shop: crash point %s reached: SIGKILL\n", name);
    if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* nothing to do: we are about to die anyway */
    }
    raise(SIGKILL);
}
