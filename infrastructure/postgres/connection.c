/*
 * infrastructure/postgres/connection.c — see connection.h.
 */
#include "infrastructure/postgres/connection.h"

#include "domain/shared/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pg_conninfo_choose(const char *explicit_conninfo)
{
    if (explicit_conninfo)
        return explicit_conninfo;
    const char *env = getenv("SHOP_DATABASE_URL");
    return env ? env : "";
}

static void notice_to_stderr(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "shop: postgres: %s", message);
}

static void notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

const char *pg_describe_target(PGconn *conn, char *buf, size_t size)
{
    const char *host = PQhost(conn);
    const char *port = PQport(conn);
    if (!port || !*port)
        port = "5432";
    if (!host || !*host || host[0] == '/' || host[0] == '@')
        snprintf(buf, size, "socket %s/.s.PGSQL.%s",
                 host && *host ? host : "(default socket directory)", port);
    else
        snprintf(buf, size, "host %s:%s", host, port);
    return buf;
}

/*
 * libpq's message for a failed connection is several lines, e.g.
 *   connection to server on socket "/x/.s.PGSQL.5432" failed: No such file or directory
 *   \tIs the server running locally and accepting connections on that socket?
 * The reason is what follows the last "failed: " of the first line.
 */
static void first_reason(const char *libpq_message, char *buf, size_t size)
{
    const char *line = libpq_message ? libpq_message : "";
    size_t len = strcspn(line, "\n");
    const char *reason = line;
    for (const char *p = line; p + 8 <= line + len; p++)
        if (strncmp(p, "failed: ", 8) == 0)
            reason = p + 8;
    size_t n = (size_t)(line + len - reason);
    if (n >= size)
        n = size - 1;
    memcpy(buf, reason, n);
    buf[n] = '\0';
    if (n == 0)
        snprintf(buf, size, "connection refused");
}

int pg_connect(PGconn **out, const char *conninfo, const char *application_name, bool verbose)
{
    /* Keywords before "dbname" are defaults the connection string may override. */
    const char *keys[4];
    const char *values[4];
    int n = 0;
    if (!getenv("PGCONNECT_TIMEOUT")) {
        keys[n] = "connect_timeout";
        values[n++] = "10";
    }
    if (!getenv("PGAPPNAME")) {
        keys[n] = "application_name";
        values[n++] = application_name;
    }
    keys[n] = "dbname";
    values[n++] = conninfo ? conninfo : "";
    keys[n] = NULL;
    values[n] = NULL;

    *out = NULL;
    char *parse_error = NULL;
    PQconninfoOption *parsed = PQconninfoParse(conninfo ? conninfo : "", &parse_error);
    if (!parsed) {
        char reason[256];
        first_reason(parse_error, reason, sizeof reason);
        PQfreemem(parse_error);
        return shop_error_set(SHOP_EINVALID, "invalid database connection string: %s", reason);
    }
    PQconninfoFree(parsed);

    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn)
        return shop_error_set(SHOP_EUNAVAILABLE, "database unavailable: out of memory in libpq");
    if (PQstatus(conn) != CONNECTION_OK) {
        char target[512], reason[256];
        pg_describe_target(conn, target, sizeof target);
        first_reason(PQerrorMessage(conn), reason, sizeof reason);
        if (verbose)
            fprintf(stderr, "shop: libpq said: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return shop_error_set(SHOP_EUNAVAILABLE,
                              "database unavailable: cannot connect to %s: %s "
                              "(set --db, SHOP_DATABASE_URL or PGHOST/PGPORT)",
                              target, reason);
    }
    PQsetNoticeProcessor(conn, verbose ? notice_to_stderr : notice_ignore, NULL);
    *out = conn;
    return 0;
}
