/*
 * infrastructure/postgres/sqlstate.c — the SQLSTATE → error-code table.
 * See sqlstate.h.  Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
#include "infrastructure/postgres/sqlstate.h"

#include "domain/shared/error.h"

#include <string.h>

struct sqlstate_rule {
    const char *prefix; /* a whole SQLSTATE, or its two-character class */
    int code;
};

/* Most specific first. */
static const struct sqlstate_rule rules[] = {
    {"23505", SHOP_ECONFLICT},    /* unique_violation: optimistic concurrency */
    {"40001", SHOP_ECONFLICT},    /* serialization_failure */
    {"40P01", SHOP_ECONFLICT},    /* deadlock_detected */
    {"55P03", SHOP_ECONFLICT},    /* lock_not_available */
    {"42501", SHOP_EREFUSED},     /* insufficient_privilege: data ownership at work */
    {"57014", SHOP_EUNAVAILABLE}, /* query_canceled (statement timeout) */
    {"57P01", SHOP_EUNAVAILABLE}, /* admin_shutdown */
    {"57P02", SHOP_EUNAVAILABLE}, /* crash_shutdown */
    {"57P03", SHOP_EUNAVAILABLE}, /* cannot_connect_now */
    {"08", SHOP_EUNAVAILABLE},    /* connection exceptions */
    {"53", SHOP_EUNAVAILABLE},    /* insufficient resources */
    {"58", SHOP_EUNAVAILABLE},    /* system error */
    {"22", SHOP_EINVALID},        /* data exceptions */
    {"23", SHOP_EREFUSED},        /* other integrity constraints */
};

int pg_sqlstate_to_error(const char *sqlstate)
{
    if (!sqlstate || strlen(sqlstate) != 5)
        return SHOP_EINTERNAL;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strncmp(sqlstate, rules[i].prefix, strlen(rules[i].prefix)) == 0)
            return rules[i].code;
    return SHOP_EINTERNAL;
}

int pg_result_error(PGconn *conn, const PGresult *res, const char *what)
{
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int code = pg_sqlstate_to_error(sqlstate);

    if (!conn || PQstatus(conn) != CONNECTION_OK)
        code = SHOP_EUNAVAILABLE;
    if (!primary || !*primary)
        primary = conn ? PQerrorMessage(conn) : "no connection";
    if (!primary || !*primary)
        primary = "unknown error";
    if (sqlstate)
        return shop_error_set(code, "%s: %s (SQLSTATE %s)", what, primary, sqlstate);
    return shop_error_set(code, "%s: %s", what, primary);
}

int pg_exec_command(PGconn *conn, const char *sql, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_result_error(conn, res, what);
    PQclear(res);
    return rc;
}
