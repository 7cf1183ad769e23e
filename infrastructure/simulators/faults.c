/*
 * infrastructure/simulators/faults.c — see faults.h.  The random draws come from a
 * small seeded generator of our own (xorshift64*), not rand(): the same seed gives the
 * same failures whatever else in the process draws numbers.
 */
#include "infrastructure/simulators/faults.h"

#include <time.h>

static uint64_t next_u64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

double fault_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fault_injector_init(struct fault_injector *f, const struct service_faults *plan,
                         double now_s)
{
    *f = (struct fault_injector){.plan = *plan, .started_s = now_s};
    uint64_t seed = plan->seeded ? (uint64_t)plan->seed : (uint64_t)time(NULL);
    f->rng = seed * UINT64_C(0x9E3779B97F4A7C15) + 1; /* never 0 */
    if (f->rng == 0)
        f->rng = 1;
}

enum fault_verdict fault_injector_next(struct fault_injector *f, double now_s, int *delay_ms)
{
    f->requests++;
    *delay_ms = f->plan.latency_ms > 0 ? f->plan.latency_ms : 0;
    /* one draw per request, whether or not it is used, so a seed names one sequence */
    double draw = (double)(next_u64(&f->rng) >> 11) / 9007199254740992.0; /* [0,1) */
    double t = now_s - f->started_s;
    if (f->plan.outage_until_s > f->plan.outage_from_s && t >= f->plan.outage_from_s &&
        t < f->plan.outage_until_s) {
        f->outage_errors++;
        return FAULT_OUTAGE;
    }
    if (draw < f->plan.error_rate) {
        f->injected_errors++;
        return FAULT_ERROR;
    }
    return FAULT_NONE;
}
