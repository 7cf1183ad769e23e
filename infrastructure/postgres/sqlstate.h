/*
 * infrastructure/postgres/sqlstate.h — PostgreSQL errors mapped to ddd-shop's error
 * codes, in this one place (docs/style.md §SQL).  A unique violation (23505) is a conflict,
 * a lost connection is "unavailable", a permission denial is a refusal, and so on.
 * Read next: sqlstate.c for the table; connection.c for how connections are opened.
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_SQLSTATE_H
#define SHOP_INFRASTRUCTURE_POSTGRES_SQLSTATE_H

#include <libpq-fe.h>

/* The SHOP_E* code for a five-character SQLSTATE; SHOP_EINTERNAL for NULL/unknown. */
int pg_sqlstate_to_error(const char *sqlstate);

/*
 * For a failed result: records "<what>: <server message> (SQLSTATE xxxxx)" as the last
 * error and returns its code.  When the connection itself is gone, the code is
 * SHOP_EUNAVAILABLE whatever the result says.  `res` may be NULL (libpq out of memory
 * or connection lost).
 */
int pg_result_error(PGconn *conn, const PGresult *res, const char *what);

/*
 * Runs a command that returns no rows (BEGIN, COMMIT, ...); 0 or a mapped error.
 * Only for fixed SQL text written in the code, never for text built from input.
 */
int pg_exec_command(PGconn *conn, const char *sql, const char *what);

#endif
