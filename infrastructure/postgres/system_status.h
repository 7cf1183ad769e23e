/*
 * infrastructure/postgres/system_status.h — what the database says about the system:
 * the server, and for each bounded context whether its schema and role exist and
 * whether data ownership holds (its role can use its own schema and no other
 * context's).  Used by `shop db status` and `shop demo`.
 * Read next: infrastructure/postgres/migrations/0001_contexts_schemas_and_roles.sql
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_SYSTEM_STATUS_H
#define SHOP_INFRASTRUCTURE_POSTGRES_SYSTEM_STATUS_H

#include <libpq-fe.h>
#include <stdbool.h>

#define SYSTEM_CONTEXT_COUNT 7

/* The bounded contexts, in the order of docs/architecture.md §2. */
extern const char *const system_contexts[SYSTEM_CONTEXT_COUNT];

struct context_status {
    const char *name; /* "ordering" */
    char role[64];    /* "shop_ordering" */
    bool schema_exists;
    bool role_exists;
    bool role_uses_own;  /* USAGE on its own schema */
    int foreign_schemas; /* other contexts' schemas the role can use: must be 0 */
};

struct system_status {
    char server_version[64];
    char database[128];
    char user[128];
    struct context_status contexts[SYSTEM_CONTEXT_COUNT];
};

int system_status_read(struct system_status *out, PGconn *conn);

#endif
