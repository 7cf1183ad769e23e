/*
 * infrastructure/service/service.h — what a service is, where it listens, and how it is
 * started: the composition root of the microservices (docs/patterns/microservices.md).
 *
 * A service is one bounded context's API (catalog, ordering, inventory, payments,
 * shipping) or one simulated external system (payment-gateway, carrier).  Each is
 * described by a `struct service_def` in the table of services.c: its name, its port,
 * the database role it runs as, and an `open` function that wires the context's
 * adapters to its application service and returns its HTTP routes.  The same
 * definition runs
 *   - alone:              `shop serve catalog`           (one process, one service);
 *   - supervised:         `shop up`                      (one process per service);
 *   - as a modular monolith: `shop up --monolith`        (one process, a thread per
 *                                                         context, same addresses).
 * so a context's code does not know which layout it runs in.
 *
 * Addresses: every service listens on 127.0.0.1, at the port of SHOP_API_URL (default
 * http://127.0.0.1:8080) plus the service's offset (catalog +1, ordering +2, inventory
 * +3, payments +4, shipping +5, reporting +6, notifications +7, payment-gateway +8,
 * carrier +9, mesh-control +10); SHOP_<NAME>_URL (SHOP_CATALOG_URL,
 * SHOP_PAYMENT_GATEWAY_URL, ...) moves one service.  Servers and clients read the same
 * settings, so `shop catalog list` finds the catalog wherever `shop up` put it.
 *
 * Database: a context's service connects with the shop's connection settings (--db,
 * SHOP_DATABASE_URL, libpq's environment) and then becomes its context's role
 * (SET ROLE shop_catalog), so PostgreSQL's grants confine it to its own schema at run
 * time (docs/patterns/data-ownership.md).  SHOP_<NAME>_DATABASE_URL, when set, is used
 * instead, to log in as the context's role directly.
 * Read next: services.c (the table), serve.c (running one), infrastructure/http/.
 */
#ifndef SHOP_INFRASTRUCTURE_SERVICE_SERVICE_H
#define SHOP_INFRASTRUCTURE_SERVICE_SERVICE_H

#include "infrastructure/http/http_server.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVICE_DEFAULT_API_URL "http://127.0.0.1:8080"
#define SERVICE_URL_MAX 256

/* Fault injection for the simulated external systems (`shop serve payment-gateway
 * --latency-ms 200 --error-rate 0.2 --outage 10:20 --seed 7`). */
struct service_faults {
    int latency_ms;        /* added to every reply */
    double error_rate;     /* 0..1: share of requests answered 503 */
    double outage_from_s;  /* seconds after start: every request answered 503 ... */
    double outage_until_s; /* ... until then (both 0: no outage) */
    unsigned long seed;    /* for the error draws; same seed, same sequence */
    bool seeded;
};

/* What a service gets when it starts. */
struct service_env {
    const char *name;            /* "catalog" */
    PGconn *db;                  /* connected as the service's role; NULL if db_role is NULL */
    struct event_base *base;     /* the loop the service's server runs on */
    const struct service_faults *faults; /* simulators only; never NULL */
    bool verbose;
};

/* What a started service hands back: its routes and how to serve them. */
struct service_instance {
    const struct http_route *routes; /* borrowed from the service; live until close */
    size_t route_count;
    void *ctx;                       /* passed to every handler */
    bool (*health)(void *ctx, cJSON *doc);
    void (*metrics)(void *ctx, FILE *out);
};

struct worker_def;

/* The most workers one service runs. */
#define SERVICE_MAX_WORKERS 8

struct service_def {
    const char *name;    /* "catalog", "payment-gateway" */
    int port_offset;     /* from SHOP_API_URL's port */
    const char *db_role; /* "shop_catalog"; NULL: no database (simulators) */
    const char *summary; /* one line for `shop serve --help` and `shop status` */
    bool external;       /* a simulated external system, not a bounded context */
    /* Builds the service on env; *out filled.  Errors as SHOP_E* with a message. */
    int (*open)(struct service_instance *out, struct service_env *env);
    void (*close)(void *ctx);
    /*
     * The background workers that run beside the API (its relay, its consumers;
     * infrastructure/messaging/worker.h), each in a thread on a connection of its own
     * as the service's role.  Fills defs[i] and args[i] (args outlive the service) and
     * returns how many, at most max; NULL: none.
     */
    size_t (*workers)(struct worker_def *defs, void **args, size_t max);
};

/* The table (services.c). */
extern const struct service_def service_defs[];
extern const size_t service_def_count;
const struct service_def *service_find(const char *name);

/* The most services a layout runs: the table's size, with room to grow. */
#define SERVICE_MAX 16

/*
 * The services a comma-separated list names ("catalog,carrier"), in the table's order
 * and each once; every service when only is NULL.  Returns their number, or
 * SHOP_EINVALID "no service 'x'; expected names from: catalog, ..." (or for an empty
 * list, "name at least one service").  out has room for SERVICE_MAX.
 */
int service_select(const struct service_def *out[SERVICE_MAX], const char *only);

/*
 * The base URL of a service ("http://127.0.0.1:8081"), from SHOP_<NAME>_URL, else
 * api_url (or $SHOP_API_URL, or the default) with the port moved by the offset.
 * SHOP_EINVALID for a URL that is not http://HOST:PORT.
 */
int service_url(char out[SERVICE_URL_MAX], const char *name, const char *api_url);

/* Points this process's clients of a service at url (sets SHOP_<NAME>_URL), as a
 * process that starts services on ports the kernel chose must (shop demo). */
void service_set_url(const char *name, const char *url);

/* Splits "http://HOST:PORT[/]" into host and port. */
int service_url_split(const char *url, char *host, size_t host_size, uint16_t *port);

/*
 * Opens the service's database connection: conninfo as pg_conninfo_choose, then
 * SET ROLE def->db_role (or SHOP_<NAME>_DATABASE_URL as is).  SHOP_EUNAVAILABLE if
 * the database cannot be reached, SHOP_EREFUSED if the role does not exist (not
 * migrated) or may not be taken.
 */
int service_connect(PGconn **out, const struct service_def *def, const char *conninfo,
                    bool verbose);

#endif
