/*
 * infrastructure/resilience/dependency.h — what protects each dependency in this process:
 * one bulkhead, one circuit breaker, one retry with its budget per dependency
 * ("payment-gateway", "carrier"), shared by every client of it.
 *
 * Pattern: a registry of the process, like a Prometheus client's default registry.  The
 * breaker has to be one per dependency and process: two breakers in front of the same
 * gateway would each see half of its failures, and a client made afresh (a service that
 * reconnects to its database is opened again) must not forget that the gateway is down.
 * So the clients (infrastructure/payments/payment_gateway_http.c,
 * infrastructure/shipping/carrier_http.c) ask for their dependency's protection here,
 * and the services show it: GET /breakers and GET /metrics.
 *
 * Settings: the defaults of docs/patterns/circuit-breaker.md ("Wired in"), and for the
 * breaker, environment variables read when the dependency is first asked for
 * (SHOP_BREAKER_<NAME>_<SETTING>, NAME in upper case with '-' as '_'):
 *     SHOP_BREAKER_PAYMENT_GATEWAY_WINDOW=20          the last N calls
 *     SHOP_BREAKER_PAYMENT_GATEWAY_MINIMUM_CALLS=10   no decision below N calls
 *     SHOP_BREAKER_PAYMENT_GATEWAY_FAILURE_RATE=50    percent that opens it
 *     SHOP_BREAKER_PAYMENT_GATEWAY_WAIT_MS=10000      first wait in OPEN
 *     SHOP_BREAKER_PAYMENT_GATEWAY_HALF_OPEN_CALLS=3  probes in HALF_OPEN
 * A value that is not a whole number in its range is SHOP_EINVALID naming the variable:
 * the service refuses to start rather than run with a setting nobody asked for.
 *
 * Observers: the breakers' events go to one dispatcher of the process (context
 * "resilience"): every state change is a line on the event log (observers.h), e.g.
 *     circuit breaker payment-gateway: CLOSED -> OPEN (failure rate 100.0%, ...)
 * and every event (BreakerStateChanged, BreakerCallNotPermitted) is counted in
 * shop_domain_events_total{context="resilience",type=...}.
 * Read next: resilient_call.h (how a call goes through them), dependency.c
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_DEPENDENCY_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_DEPENDENCY_H

#include "infrastructure/resilience/resilient_call.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* The most dependencies one process protects. */
#define DEPENDENCY_MAX 8

/* Defaults of the wired dependencies (why: docs/patterns/circuit-breaker.md). */
#define DEPENDENCY_BULKHEAD_MAX_CALLS 16
#define DEPENDENCY_SLOW_CALL_MS       1000 /* half of the clients' 2 s deadline */
#define DEPENDENCY_RETRY_MAX_ATTEMPTS 3

/*
 * The protection of dependency `name` (1-63 characters of a-z, 0-9, '-'), made on first
 * use (thread-safe) and kept for the life of the process; *out borrowed.  Its
 * resilience's timeout_us is 0: each client bounds its calls with its own deadline.
 * SHOP_EINVALID for a bad name or setting (the message names the variable), or when
 * DEPENDENCY_MAX dependencies exist already.
 */
int dependency_resilience(const struct resilience **out, const char *name);

/* The breaker of `name`, or NULL if nothing asked for that dependency yet. */
struct breaker *dependency_breaker(const char *name);

/* The breakers of the n names (those made so far) as the JSON array of GET /breakers:
 * [{name, state: "closed"|"open"|..., failure_rate, slow_call_rate, calls, since, ...}]
 * (docs/cli.md, `shop breaker status`).  The caller frees it. */
cJSON *dependency_breakers_json(const char *const *names, size_t n);

/* The Prometheus lines of those breakers (breaker_write_metrics). */
void dependency_write_metrics(const char *const *names, size_t n, FILE *out);

/* "closed", "open", "half_open", "disabled", "forced_open", "metrics_only": the
 * lower-case names of the JSON shapes. */
const char *dependency_state_json_name(enum breaker_state s);

#endif
