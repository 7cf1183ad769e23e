/*
 * infrastructure/resilience/dependency.c — see dependency.h.
 *
 * State: one table of dependencies for the process behind a mutex, each row made once
 * and never freed (static storage, like the event counters of observers.c): the clients
 * keep borrowed pointers into it for as long as the process runs.  The rows hold the
 * pieces and the struct resilience that points at them.
 * Read next: infrastructure/payments/payment_gateway_http.c (a client that uses it)
 */
#include "infrastructure/resilience/dependency.h"

#include "domain/shared/error.h"
#include "infrastructure/messaging/observers.h"
#include "infrastructure/system/clock_system.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_MAX_LEN 63

struct dependency {
    char name[NAME_MAX_LEN + 1];
    struct bulkhead *bulkhead;
    struct breaker *breaker;
    struct retry_budget *budget;
    struct retry *retry;
    struct resilience resilience;
};

static struct {
    pthread_mutex_t lock;
    struct dependency rows[DEPENDENCY_MAX];
    size_t count;
    struct shop_clock *clock;
    struct dispatcher observers;
    bool observers_ready;
} registry = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- observers ---------------------------------------------------------------------- */

/* A state change, one line on the process's event log (observers.h). */
static int log_state_change(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    FILE *log = event_log_file();
    if (!log)
        return 0;
    breaker_log_observer(log, e);
    fflush(log);
    return 0;
}

static void subscribe_observers(void)
{
    dispatcher_init(&registry.observers, event_observers_report, NULL);
    dispatcher_subscribe(&registry.observers, BREAKER_EVENT_STATE_CHANGED, "breaker log",
                         log_state_change, NULL);
    dispatcher_subscribe(&registry.observers, "*", "event counter", event_counter_observer, NULL);
    registry.observers_ready = true;
}

/* ---- settings ----------------------------------------------------------------------- */

/* SHOP_BREAKER_<NAME>_<SETTING> into out (NAME upper-cased, '-' as '_'). */
static void variable_name(char *out, size_t size, const char *name, const char *setting)
{
    size_t n = (size_t)snprintf(out, size, "SHOP_BREAKER_");
    for (const char *p = name; *p && n + 1 < size; p++)
        out[n++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    out[n] = '\0';
    snprintf(out + n, size - n, "_%s", setting);
}

/* The whole number of the variable in [min, max] into *out; unset leaves *out alone. */
static int setting(long *out, const char *name, const char *setting_name, long min, long max)
{
    char variable[128];
    variable_name(variable, sizeof variable, name, setting_name);
    const char *text = getenv(variable);
    if (!text)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < min || v > max)
        return shop_error_set(SHOP_EINVALID, "%s: must be a whole number %ld-%ld, got '%s'",
                              variable, min, max, text);
    *out = v;
    return 0;
}

static int breaker_settings(struct breaker_config *c, const char *name)
{
    long window = c->window_size, minimum = c->minimum_calls;
    long rate = (long)c->failure_rate_threshold, wait_ms = (long)(c->wait_in_open_us / 1000);
    long probes = c->permitted_calls_in_half_open;
    int rc;
    if ((rc = setting(&window, name, "WINDOW", 1, 100000)) < 0 ||
        (rc = setting(&minimum, name, "MINIMUM_CALLS", 1, 100000)) < 0 ||
        (rc = setting(&rate, name, "FAILURE_RATE", 1, 100)) < 0 ||
        (rc = setting(&wait_ms, name, "WAIT_MS", 1, 3600000)) < 0 ||
        (rc = setting(&probes, name, "HALF_OPEN_CALLS", 1, 1000)) < 0)
        return rc;
    c->window_size = (uint32_t)window;
    c->minimum_calls = (uint32_t)minimum;
    c->failure_rate_threshold = (double)rate;
    c->wait_in_open_us = (int64_t)wait_ms * 1000;
    if (c->max_wait_in_open_us < c->wait_in_open_us)
        c->max_wait_in_open_us = c->wait_in_open_us;
    c->permitted_calls_in_half_open = (uint32_t)probes;
    return 0;
}

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > NAME_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '-'))
            return false;
    return true;
}

/* ---- the table ---------------------------------------------------------------------- */

static struct dependency *find(const char *name)
{
    for (size_t i = 0; i < registry.count; i++)
        if (strcmp(registry.rows[i].name, name) == 0)
            return &registry.rows[i];
    return NULL;
}

/* Makes row d for name; on failure frees what it made. */
static int make(struct dependency *d, const char *name)
{
    struct breaker_config bc;
    struct retry_budget_config budget;
    struct retry_config rc_;
    int rc;

    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    breaker_config_init(&bc, d->name, registry.clock);
    bc.slow_call_duration_us = (int64_t)DEPENDENCY_SLOW_CALL_MS * 1000;
    bc.observers = &registry.observers;
    if ((rc = breaker_settings(&bc, name)) < 0)
        return rc;
    retry_budget_config_init(&budget, registry.clock);
    retry_config_init(&rc_, d->name, registry.clock);
    rc_.max_attempts = DEPENDENCY_RETRY_MAX_ATTEMPTS;
    if ((rc = breaker_new(&d->breaker, &bc)) < 0 ||
        (rc = bulkhead_new(&d->bulkhead, d->name, DEPENDENCY_BULKHEAD_MAX_CALLS)) < 0 ||
        (rc = retry_budget_new(&d->budget, &budget)) < 0)
        goto fail;
    rc_.budget = d->budget;
    if ((rc = retry_new(&d->retry, &rc_)) < 0)
        goto fail;
    d->resilience = (struct resilience){.bulkhead = d->bulkhead,
                                        .breaker = d->breaker,
                                        .retry = d->retry,
                                        .clock = registry.clock,
                                        .timeout_us = 0};
    return 0;
fail:
    retry_budget_free(d->budget);
    bulkhead_free(d->bulkhead);
    breaker_free(d->breaker);
    memset(d, 0, sizeof *d);
    return rc;
}

int dependency_resilience(const struct resilience **out, const char *name)
{
    int rc = 0;
    *out = NULL;
    if (!name_ok(name))
        return shop_error_set(SHOP_EINVALID,
                              "a dependency's name must be 1-63 characters of a-z, 0-9 and '-'");
    pthread_mutex_lock(&registry.lock);
    struct dependency *d = find(name);
    if (d)
        goto done;
    if (registry.count == DEPENDENCY_MAX) {
        rc = shop_error_set(SHOP_EINVALID, "no room for dependency %s: %d are protected already",
                            name, DEPENDENCY_MAX);
        goto done;
    }
    if (!registry.clock && (rc = clock_system_new(&registry.clock)) < 0)
        goto done;
    if (!registry.observers_ready)
        subscribe_observers();
    d = &registry.rows[registry.count];
    if ((rc = make(d, name)) < 0) {
        d = NULL;
        goto done;
    }
    registry.count++;
done:
    if (d)
        *out = &d->resilience;
    pthread_mutex_unlock(&registry.lock);
    return rc;
}

struct breaker *dependency_breaker(const char *name)
{
    pthread_mutex_lock(&registry.lock);
    struct dependency *d = name ? find(name) : NULL;
    struct breaker *b = d ? d->breaker : NULL;
    pthread_mutex_unlock(&registry.lock);
    return b;
}

/* ---- showing them ------------------------------------------------------------------- */

const char *dependency_state_json_name(enum breaker_state s)
{
    switch (s) {
    case BREAKER_CLOSED: return "closed";
    case BREAKER_OPEN: return "open";
    case BREAKER_HALF_OPEN: return "half_open";
    case BREAKER_DISABLED: return "disabled";
    case BREAKER_FORCED_OPEN: return "forced_open";
    case BREAKER_METRICS_ONLY: return "metrics_only";
    }
    return "unknown";
}

/* RFC 3339 UTC with microseconds, "2024-06-10T06:13:20.000000Z"; "" for 0. */
static void format_time(char out[32], int64_t us)
{
    struct tm tm;
    time_t secs = (time_t)(us / 1000000);
    char text[24];
    out[0] = '\0';
    if (us <= 0 || !gmtime_r(&secs, &tm) ||
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return;
    snprintf(out, 32, "%s.%06ldZ", text, (long)(us % 1000000));
}

/* A rate in percent, or null below the minimum number of calls. */
static void add_rate(cJSON *o, const char *key, double rate)
{
    if (rate < 0)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, rate);
}

static cJSON *breaker_json(struct breaker *b)
{
    struct breaker_metrics m;
    char since[32], until[32];
    breaker_metrics(b, &m);
    format_time(since, m.since_us);
    format_time(until, m.open_until_us);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m.name);
    cJSON_AddStringToObject(o, "state", dependency_state_json_name(m.state));
    add_rate(o, "failure_rate", m.failure_rate);
    add_rate(o, "slow_call_rate", m.slow_call_rate);
    cJSON_AddNumberToObject(o, "calls", m.calls);
    cJSON_AddStringToObject(o, "since", since);
    cJSON_AddNumberToObject(o, "failed_calls", m.failed_calls);
    cJSON_AddNumberToObject(o, "slow_calls", m.slow_calls);
    if (*until)
        cJSON_AddStringToObject(o, "open_until", until);
    else
        cJSON_AddNullToObject(o, "open_until");
    cJSON_AddNumberToObject(o, "not_permitted_total", (double)m.not_permitted_total);
    return o;
}

/* The breakers of the names that exist, into out (at most DEPENDENCY_MAX). */
static size_t collect(struct breaker *out[DEPENDENCY_MAX], const char *const *names, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n && count < DEPENDENCY_MAX; i++) {
        struct breaker *b = dependency_breaker(names[i]);
        if (b)
            out[count++] = b;
    }
    return count;
}

cJSON *dependency_breakers_json(const char *const *names, size_t n)
{
    struct breaker *breakers[DEPENDENCY_MAX];
    size_t count = collect(breakers, names, n);
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(list, breaker_json(breakers[i]));
    return list;
}

void dependency_write_metrics(const char *const *names, size_t n, FILE *out)
{
    struct breaker *breakers[DEPENDENCY_MAX];
    size_t count = collect(breakers, names, n);
    if (count)
        breaker_write_metrics(breakers, count, out);
}
