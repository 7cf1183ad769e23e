/*
 * infrastructure/service/service.c — where services listen and how they reach their
 * database (see service.h).
 */
#include "infrastructure/service/service.h"

#include "domain/shared/error.h"
#include "infrastructure/postgres/connection.h"
#include "infrastructure/postgres/sqlstate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "payment-gateway" → "SHOP_PAYMENT_GATEWAY_<suffix>" */
static void env_name(char *buf, size_t size, const char *service, const char *suffix)
{
    size_t n = (size_t)snprintf(buf, size, "SHOP_");
    for (const char *p = service; *p && n + 1 < size; p++)
        buf[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    buf[n] = '\0';
    snprintf(buf + n, size - n, "_%s", suffix);
}

void service_set_url(const char *name, const char *url)
{
    char var[64];
    env_name(var, sizeof var, name, "URL");
    setenv(var, url, 1);
}

int service_url_split(const char *url, char *host, size_t host_size, uint16_t *port)
{
    const char *p = url;
    if (strncmp(p, "http://", 7) != 0)
        goto bad;
    p += 7;
    size_t host_len = strcspn(p, ":/");
    if (host_len == 0 || host_len >= host_size || p[host_len] != ':')
        goto bad;
    memcpy(host, p, host_len);
    host[host_len] = '\0';
    p += host_len + 1;
    char *end;
    long value = strtol(p, &end, 10);
    if (end == p || value < 1 || value > 65535 || (*end && strcmp(end, "/") != 0) ||
        !isdigit((unsigned char)*p))
        goto bad;
    *port = (uint16_t)value;
    return 0;
bad:
    return shop_error_set(SHOP_EINVALID, "'%s' is not an address of the form http://HOST:PORT",
                          url);
}

int service_url(char out[SERVICE_URL_MAX], const char *name, const char *api_url)
{
    char var[64];
    const struct service_def *def = service_find(name);
    if (!def)
        return shop_error_set(SHOP_EINVALID, "no service '%s'", name);
    env_name(var, sizeof var, name, "URL");
    const char *own = getenv(var);
    char host[128];
    uint16_t port;
    if (own && *own) {
        if (service_url_split(own, host, sizeof host, &port) < 0)
            return shop_error_set(SHOP_EINVALID, "%s: '%s' is not an address of the form "
                                                 "http://HOST:PORT", var, own);
        snprintf(out, SERVICE_URL_MAX, "http://%s:%u", host, (unsigned)port);
        return 0;
    }
    const char *base = api_url;
    const char *source = "--api";
    if (!base || !*base) {
        base = getenv("SHOP_API_URL");
        source = "SHOP_API_URL";
    }
    if (!base || !*base) {
        base = SERVICE_DEFAULT_API_URL;
        source = "the default";
    }
    if (service_url_split(base, host, sizeof host, &port) < 0)
        return shop_error_set(SHOP_EINVALID, "%s: '%s' is not an address of the form "
                                             "http://HOST:PORT", source, base);
    if ((unsigned)port + (unsigned)def->port_offset > 65535)
        return shop_error_set(SHOP_EINVALID, "%s: port %u leaves no room for %s at +%d", source,
                              (unsigned)port, name, def->port_offset);
    snprintf(out, SERVICE_URL_MAX, "http://%s:%u", host, (unsigned)port + (unsigned)def->port_offset);
    return 0;
}

int service_connect(PGconn **out, const struct service_def *def, const char *conninfo,
                    bool verbose)
{
    char var[64], app[64], sql[96];
    *out = NULL;
    if (!def->db_role)
        return shop_error_set(SHOP_EINTERNAL, "%s has no database", def->name);
    env_name(var, sizeof var, def->name, "DATABASE_URL");
    const char *own = getenv(var);
    snprintf(app, sizeof app, "shop %s", def->name);
    PGconn *conn = NULL;
    int rc = pg_connect(&conn, own && *own ? own : pg_conninfo_choose(conninfo), app, verbose);
    if (rc < 0)
        return rc;
    if (!(own && *own)) {
        /* the role name comes from the table above, never from input */
        snprintf(sql, sizeof sql, "SET ROLE %s", def->db_role);
        rc = pg_exec_command(conn, sql, "taking the service's database role");
        if (rc < 0) {
            PQfinish(conn);
            return shop_error_set(SHOP_EREFUSED, "%s: cannot run as role %s (is the database "
                                                 "migrated? see 'shop db migrate'): %s",
                                  def->name, def->db_role, shop_error_message());
        }
    }
    *out = conn;
    return 0;
}
