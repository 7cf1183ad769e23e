/*
 * infrastructure/postgres/connection.h — opening a PostgreSQL connection the way every
 * part of shop does: from --db, else SHOP_DATABASE_URL, else libpq's own environment
 * (PGHOST, PGPORT, PGDATABASE, PGUSER, ...).  One connection per thread; libpq
 * connections are not shared between threads.
 *
 * A connection that cannot be made is SHOP_EUNAVAILABLE with ONE line saying which
 * socket or host:port was tried and why, never libpq's multi-line dump.
 * Read next: sqlstate.c (errors), migration_store_pg.c (a user of both).
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_CONNECTION_H
#define SHOP_INFRASTRUCTURE_POSTGRES_CONNECTION_H

#include <libpq-fe.h>
#include <stdbool.h>

/* The connection string to use: explicit if given, else $SHOP_DATABASE_URL, else "". */
const char *pg_conninfo_choose(const char *explicit_conninfo);

/*
 * Connects.  `conninfo` is a libpq connection string or URI ("" means libpq's
 * environment defaults).  application_name shows in pg_stat_activity.  Server notices
 * (NOTICE, WARNING) go to stderr only when verbose is true.
 */
int pg_connect(PGconn **out, const char *conninfo, const char *application_name, bool verbose);

/* Where a connection points, for people: "socket /run/postgresql/.s.PGSQL.5432" or
 * "host db.example:5432".  Writes into buf and returns it. */
const char *pg_describe_target(PGconn *conn, char *buf, size_t size);

#endif
