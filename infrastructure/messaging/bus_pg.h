/*
 * infrastructure/messaging/bus_pg.h — the few libpq helpers the relay and the consumer
 * share (private to infrastructure/messaging/): prepared statements under names unique on
 * the connection, a statement run with one-line errors, ids as parameters, and the
 * transaction steps.
 * Read next: relay.c, consumer.c
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_BUS_PG_H
#define SHOP_INFRASTRUCTURE_MESSAGING_BUS_PG_H

#include "domain/shared/uuid.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#define BUS_PG_NAME_MAX 48

/* A prefix for the statement names of one relay or consumer ("relay3_"): several may
 * share a connection, and a connection's prepared statements share one namespace. */
void bus_pg__prefix(char out[BUS_PG_NAME_MAX], const char *kind);

/* Prepares sql as prefix + suffix on conn. */
int bus_pg__prepare(PGconn *conn, const char *prefix, const char *suffix, const char *sql,
                    int nparams, const char *what);

/*
 * Runs prepared statement prefix + suffix with text parameters (NULL values are SQL
 * NULL).  Returns the result on PGRES_TUPLES_OK / PGRES_COMMAND_OK, else NULL with the
 * error recorded (pg_result_error: SHOP_EUNAVAILABLE when the connection is gone) and
 * *rc set.
 */
PGresult *bus_pg__run(int *rc, PGconn *conn, const char *prefix, const char *suffix, int n,
                      const char *const *values, const char *what);

/* A fixed command (BEGIN, COMMIT, SAVEPOINT m...). */
int bus_pg__command(PGconn *conn, const char *sql, const char *what);

/* Rolls back whatever is open, if the connection still works; keeps the last error. */
void bus_pg__rollback(PGconn *conn);

/* The text form of id for a parameter, or NULL (SQL NULL) for the nil id. */
const char *bus_pg__uuid_param(char out[UUID_STRING_SIZE], shop_uuid id);

/* Reads a uuid column (NULL: the nil id). */
void bus_pg__uuid_value(shop_uuid *out, const PGresult *res, int row, int col);

/* [a-z]{1,32}: a context's name, also the name of its schema. */
bool bus_pg__context_valid(const char *name);

#endif
