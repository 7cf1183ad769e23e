/*
 * infrastructure/messaging/observers.h — the observers every service subscribes to its
 * context's domain events (observer pattern; docs/architecture.md §10 observability).
 *
 * Two observers, both of every type ("*"):
 *   - the event log: one line per event on the service's stderr, with the ids that
 *     `shop trace` follows,
 *         ordering: event OrderPlaced message_id=0190a6f4-... correlation_id=0190a6f4-...
 *         causation_id=- traceparent=00-4bf92f35...-01
 *     (one line; a missing id is "-");
 *   - the event counter: shop_domain_events_total{context="ordering",type="OrderPlaced"},
 *     printed in Prometheus text format by the service's GET /metrics.
 * Both run after the commit, so they count and log only what happened; both may be lost in
 * a crash between the commit and the dispatch, which is fine for a log and a counter
 * (application/messaging/dispatcher.h says what must go through the outbox instead).
 *
 * The event log goes to the process's stderr unless event_log_set says otherwise: `shop
 * demo` runs services inside a command that talks to a person, and keeps it off there
 * unless --verbose.
 *
 * The counters belong to the process, as a Prometheus client library's default registry
 * does: a service that reconnects to its database and is opened afresh keeps counting
 * from where it was, and `shop up --monolith` shows the counters of every context it runs
 * on each service's /metrics, each line labelled with its context.
 * Read next: observers.c, application/messaging/dispatcher.h,
 * tests/integration/event_observers_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_OBSERVERS_H
#define SHOP_INFRASTRUCTURE_MESSAGING_OBSERVERS_H

#include "application/messaging/dispatcher.h"

#include <stdint.h>
#include <stdio.h>

/* The most (context, type) pairs counted; a new pair beyond that is an observer failure. */
#define EVENT_COUNTERS_MAX 64
/* The most contexts with a dispatcher in one process. */
#define EVENT_OBSERVERS_CONTEXTS_MAX 16

/*
 * The dispatcher of `context`'s domain events in this process, with the event log and the
 * event counter subscribed, made on first use (thread-safe); failures of an observer are
 * reported on stderr.  Lives as long as the process.  NULL (no observers) when more than
 * EVENT_OBSERVERS_CONTEXTS_MAX contexts ask.
 */
struct dispatcher *event_observers(const char *context);

/* Subscribes the event log (writing to log; NULL: the process's, see event_log_set) and
 * the event counter to every type of d.  SHOP_EINVALID if d's table is full. */
int event_observers_subscribe(struct dispatcher *d, FILE *log);

/* Where this process's event log goes (default stderr); NULL: nowhere. */
void event_log_set(FILE *log);

/* Where it goes now (NULL: nowhere), for an observer that writes lines of its own to it
 * (the circuit breakers' state changes, infrastructure/resilience/dependency.c). */
FILE *event_log_file(void);

/* The observers themselves, for a dispatcher of one's own.  ctx: the FILE of the log
 * (NULL: the process's); the counter takes no ctx.  SHOP_EIO when the line cannot be
 * written, SHOP_EINVALID when EVENT_COUNTERS_MAX pairs are already counted. */
int event_log_observer(void *ctx, const struct domain_event *e);
int event_counter_observer(void *ctx, const struct domain_event *e);

/* The dispatcher's report of a failed observer, one line on the FILE log_ctx (NULL: stderr):
 * "ordering: observer event log failed on OrderPlaced message_id=...: <message>". */
void event_observers_report(void *log_ctx, const char *observer, const struct domain_event *e,
                            int rc, const char *message);

/* How many events of (context, type) this process has observed. */
uint64_t event_counter_value(const char *context, const char *type);

/* The counters in Prometheus text format, with their HELP and TYPE lines; ctx is unused,
 * so that it fits service_instance.metrics (infrastructure/service/service.h). */
void event_counters_print(void *ctx, FILE *out);

#endif
