/*
 * infrastructure/simulators/faults.h — fault injection for the simulated external
 * systems (payment gateway, carrier): added latency, a random error rate, and an outage
 * window, repeatable with a seed.  They exist so that timeouts, retries and the circuit
 * breaker have something real to protect against.
 *
 *   shop serve payment-gateway --latency-ms 300 --error-rate 0.25 --outage 10:20 --seed 7
 *
 * makes every reply 300 ms late, answers a quarter of requests 503 (the same quarter
 * for the same seed and the same sequence of requests), and answers every request 503
 * from 10 s to 20 s after start.
 * Read next: payment_gateway.c, carrier.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SIMULATORS_FAULTS_H
#define SHOP_INFRASTRUCTURE_SIMULATORS_FAULTS_H

#include "infrastructure/service/service.h"

#include <stdbool.h>
#include <stdint.h>

struct fault_injector {
    struct service_faults plan;
    double started_s;   /* monotonic seconds at start */
    uint64_t rng;       /* xorshift64* state */
    unsigned long requests, injected_errors, outage_errors;
};

void fault_injector_init(struct fault_injector *f, const struct service_faults *plan,
                         double now_s);

enum fault_verdict {
    FAULT_NONE = 0,
    FAULT_ERROR,  /* a random failure: answer 503 */
    FAULT_OUTAGE, /* inside the outage window: answer 503 */
};

/* The fate of the next request at now_s (monotonic seconds); *delay_ms to add first. */
enum fault_verdict fault_injector_next(struct fault_injector *f, double now_s, int *delay_ms);

/* Monotonic seconds, for now_s. */
double fault_now_s(void);

#endif
