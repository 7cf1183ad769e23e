/*
 * infrastructure/reporting/projector.c — runs Reporting's projections (projector.h):
 * reads the bus gap-free, applies each message's handler (projections.c), moves the
 * checkpoint in the same transaction; and rebuilds a projection beside the live one.
 *
 * One batch (projector_step), ONE transaction:
 *     BEGIN
 *     SELECT checkpoint FROM reporting.projections WHERE name = $1
 *         FOR UPDATE SKIP LOCKED        held by another worker or a rebuild's swap: later
 *     SELECT ... FROM messaging.bus
 *      WHERE (transaction_id, position) > checkpoint
 *        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 *        AND type = ANY (the projection's types)
 *      ORDER BY transaction_id, position LIMIT batch
 *     each message:  SAVEPOINT m; its handler; RELEASE (or, for a message whose data can
 *                    never be applied, ROLLBACK TO m: skipped, counted, its error kept)
 *     UPDATE reporting.projections SET checkpoint = the last message read, handled + n
 *     COMMIT          (ROLLBACK when nothing was read: nothing to write)
 * Why only below pg_snapshot_xmin: positions are taken when rows are inserted, but rows
 * become visible when their transaction commits, so a transaction that began earlier
 * may commit a lower position later.  Nothing below the oldest running transaction can
 * still appear, so that part of the log is final; the checkpoint is a place in it
 * (docs/adr/0006-gap-free-global-log.md).
 *
 * Rebuild (projector_rebuild):
 *     1. as shop_owner: DROP the leftovers of a rebuild that crashed, CREATE TABLE
 *        reporting.<t>_rebuild (LIKE reporting.<t> INCLUDING ALL) for each table; commit
 *     2. batches from position zero into the new tables, one transaction each, with a
 *        checkpoint kept in memory; the live tables keep serving and the worker keeps
 *        updating them (crash point "projection.rebuild-batch" after each)
 *     3. ONE transaction: take the projection's row lock (the worker waits), apply the
 *        last messages, DROP each live table, RENAME the new one in its place, set the
 *        checkpoint to the rebuild's; commit.  Readers see the old tables or the new ones.
 *   Stopped (*stop, Ctrl-C) or failed before 3 commits: the new tables are dropped; a
 *   crash leaves them for the next rebuild to drop.
 * Read next: projections.c, infrastructure/cli/cmd_projection.c,
 * tests/integration/projector_test.c
 */
#include "infrastructure/reporting/projector.h"

#include "domain/shared/error.h"
#include "infrastructure/messaging/crash_point.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/sqlstate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REBUILD_SUFFIX "_rebuild"
#define SQL_MAX        4096
#define TYPES_MAX      1024

/* Runs sql with text parameters; the result, or NULL with the error recorded in *rc. */
static PGresult *exec(int *rc, PGconn *conn, const char *sql, int n, const char *const *params,
                      const char *what)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *rc = 0;
        return res;
    }
    *rc = pg_result_error(conn, res, what);
    PQclear(res);
    return NULL;
}

static int exec_command(PGconn *conn, const char *sql, int n, const char *const *params,
                        const char *what)
{
    int rc;
    PQclear(exec(&rc, conn, sql, n, params, what));
    return rc;
}

static void rollback(PGconn *conn)
{
    if (PQstatus(conn) == CONNECTION_OK)
        PQclear(PQexec(conn, "ROLLBACK"));
}

/* sql with every "{s}" replaced by suffix. */
static int with_suffix(char out[SQL_MAX], const char *sql, const char *suffix)
{
    size_t used = 0, slen = strlen(suffix);
    for (const char *p = sql; *p;) {
        if (strncmp(p, "{s}", 3) == 0) {
            if (used + slen >= SQL_MAX)
                break;
            memcpy(out + used, suffix, slen);
            used += slen;
            p += 3;
        } else {
            if (used + 1 >= SQL_MAX)
                break;
            out[used++] = *p++;
        }
    }
    out[used] = '\0';
    if (used + 1 >= SQL_MAX)
        return shop_error_set(SHOP_EINTERNAL, "a projection's statement is too long");
    return 0;
}

static const char *handler_sql(const struct projection *p, const char *type)
{
    for (size_t i = 0; p->handlers[i].type; i++)
        if (strcmp(p->handlers[i].type, type) == 0)
            return p->handlers[i].sql;
    return NULL;
}

/* What one batch did. */
struct batch_result {
    long read, skipped;
    char last_error[SHOP_ERROR_MESSAGE_MAX];
};

/* A handler's failure that no retry can cure: the message's data (22: data exception,
 * e.g. a field that is not a number; 23: a constraint, e.g. a field missing). */
static bool data_error(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0);
}

static int apply_one(PGconn *conn, const struct projection *p, const char *suffix,
                     const PGresult *rows, int i, struct batch_result *out)
{
    char sql[SQL_MAX];
    const char *type = PQgetvalue(rows, i, 2);
    const char *handler = handler_sql(p, type);
    int rc;
    if (!handler) /* not one of its types: the query asked for them only */
        return 0;
    if ((rc = with_suffix(sql, handler, suffix)) < 0 ||
        (rc = pg_exec_command(conn, "SAVEPOINT m", "starting a message")) < 0)
        return rc;
    const char *params[] = {PQgetvalue(rows, i, 3), PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 0)};
    PGresult *res = PQexecParams(conn, sql, 3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK) {
        PQclear(res);
        return pg_exec_command(conn, "RELEASE SAVEPOINT m", "ending a message");
    }
    if (!data_error(res)) {
        rc = pg_result_error(conn, res, "applying a message");
        PQclear(res);
        return rc;
    }
    snprintf(out->last_error, sizeof out->last_error, "%s at position %s: %s", type,
             PQgetvalue(rows, i, 0), PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    PQclear(res);
    out->skipped++;
    return pg_exec_command(conn, "ROLLBACK TO SAVEPOINT m", "skipping a message");
}

/* In the caller's transaction: up to batch messages of p after *at, applied to the tables
 * with suffix; *at moves to the last one read. */
static int apply_batch(PGconn *conn, const struct projection *p, const char *suffix,
                       struct bus_place *at, int batch, struct batch_result *out)
{
    char types[TYPES_MAX], tx[24], pos[24], limit[16];
    projection_types_literal(p, types, sizeof types);
    snprintf(tx, sizeof tx, "%" PRIu64, at->transaction_id);
    snprintf(pos, sizeof pos, "%" PRId64, at->position);
    snprintf(limit, sizeof limit, "%d", batch);
    const char *params[] = {tx, pos, types, limit};
    int rc;
    PGresult *rows = exec(&rc, conn,
                          /* ORDER BY b.transaction_id, not transaction_id: the bare name would be
                           * the output column, its text, and "1147" sorts before "743". */
                          "SELECT b.position, b.transaction_id::text, b.type, b.payload::text"
                          "  FROM messaging.bus b"
                          " WHERE (b.transaction_id, b.position) > ($1::xid8, $2::bigint)"
                          "   AND b.transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
                          "   AND b.type = ANY ($3::text[])"
                          " ORDER BY b.transaction_id, b.position LIMIT $4::int",
                          4, params, "reading the bus");
    if (!rows)
        return rc;
    int n = PQntuples(rows);
    for (int i = 0; i < n && rc == 0; i++)
        rc = apply_one(conn, p, suffix, rows, i, out);
    if (rc == 0 && n > 0) {
        at->position = strtoll(PQgetvalue(rows, n - 1, 0), NULL, 10);
        at->transaction_id = strtoull(PQgetvalue(rows, n - 1, 1), NULL, 10);
        out->read += n;
    }
    PQclear(rows);
    return rc;
}

/* Takes p's row lock in the open transaction; *locked false: someone else holds it
 * (only with skip_locked). */
static int lock_projection(PGconn *conn, const struct projection *p, bool skip_locked,
                           struct bus_place *at, bool *locked)
{
    const char *params[] = {p->name};
    int rc;
    PGresult *res = exec(&rc, conn,
                         skip_locked ? "SELECT transaction_id::text, position"
                                       "  FROM reporting.projections WHERE name = $1"
                                       " FOR UPDATE SKIP LOCKED"
                                     : "SELECT transaction_id::text, position"
                                       "  FROM reporting.projections WHERE name = $1 FOR UPDATE",
                         1, params, "taking the projection's lock");
    if (!res)
        return rc;
    *locked = PQntuples(res) == 1;
    if (*locked) {
        at->transaction_id = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        at->position = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    } else if (!skip_locked) {
        rc = shop_error_set(SHOP_ENOTFOUND,
                            "projection %s has no row in reporting.projections "
                            "(run shop db migrate)",
                            p->name);
    }
    PQclear(res);
    return rc;
}

/* Moves p's checkpoint to at and counts what the batch did; rebuilt: the counts replace
 * the old ones and rebuilt_at is set. */
static int move_checkpoint(PGconn *conn, const struct projection *p, const struct bus_place *at,
                           long handled, long skipped, const char *last_error, bool rebuilt)
{
    char tx[24], pos[24], h[24], s[24];
    snprintf(tx, sizeof tx, "%" PRIu64, at->transaction_id);
    snprintf(pos, sizeof pos, "%" PRId64, at->position);
    snprintf(h, sizeof h, "%ld", handled);
    snprintf(s, sizeof s, "%ld", skipped);
    const char *params[] = {p->name, tx, pos, h, s, last_error && *last_error ? last_error : NULL};
    return exec_command(
        conn,
        rebuilt ? "UPDATE reporting.projections"
                  "   SET transaction_id = $2::xid8, position = $3::bigint,"
                  "       handled = $4::bigint, skipped = $5::bigint, last_error = $6,"
                  "       rebuilt_at = statement_timestamp(), updated_at = statement_timestamp()"
                  " WHERE name = $1"
                : "UPDATE reporting.projections"
                  "   SET transaction_id = $2::xid8, position = $3::bigint,"
                  "       handled = handled + $4::bigint, skipped = skipped + $5::bigint,"
                  "       last_error = coalesce($6, last_error), updated_at = statement_timestamp()"
                  " WHERE name = $1",
        6, params, "moving the projection's checkpoint");
}

int projector_step(PGconn *conn, const struct projection *p, int batch, long *applied)
{
    struct batch_result r = {0};
    struct bus_place at = {0};
    bool locked = false;
    int rc;
    *applied = 0;
    if ((rc = pg_exec_command(conn, "BEGIN", "starting a projection's batch")) < 0)
        return rc;
    if ((rc = lock_projection(conn, p, true, &at, &locked)) < 0)
        goto fail;
    if (!locked || (rc = apply_batch(conn, p, "", &at, batch, &r)) < 0 || r.read == 0) {
        if (rc < 0)
            goto fail;
        rollback(conn); /* nothing read: nothing to write */
        return 0;
    }
    if ((rc = move_checkpoint(conn, p, &at, r.read - r.skipped, r.skipped, r.last_error, false)) <
            0 ||
        (rc = pg_exec_command(conn, "COMMIT", "committing a projection's batch")) < 0)
        goto fail;
    *applied = r.read;
    return 0;
fail : {
    char saved[SHOP_ERROR_MESSAGE_MAX];
    snprintf(saved, sizeof saved, "%s", shop_error_message());
    rollback(conn);
    return shop_error_set(rc, "projection %s: %s", p->name, saved);
}
}

/* ------------------------------------------------------------------ rebuild */

/* Drops p's half-built tables, as shop_owner (in its own transaction). */
static int drop_new_tables(PGconn *conn, const struct projection *p)
{
    int rc;
    if ((rc = pg_exec_command(conn, "BEGIN", "dropping a rebuild's tables")) < 0 ||
        (rc = pg_exec_command(conn, "SET LOCAL ROLE shop_owner", "becoming shop_owner")) < 0)
        goto done;
    for (size_t i = 0; p->tables[i] && rc == 0; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS reporting.%s" REBUILD_SUFFIX, p->tables[i]);
        rc = pg_exec_command(conn, sql, "dropping a rebuild's table");
    }
    if (rc == 0)
        rc = pg_exec_command(conn, "COMMIT", "dropping a rebuild's tables");
done:
    if (rc < 0)
        rollback(conn);
    return rc;
}

static int create_new_tables(PGconn *conn, const struct projection *p)
{
    int rc;
    if ((rc = drop_new_tables(conn, p)) < 0)
        return rc;
    if ((rc = pg_exec_command(conn, "BEGIN", "creating a rebuild's tables")) < 0 ||
        (rc = pg_exec_command(conn, "SET LOCAL ROLE shop_owner", "becoming shop_owner")) < 0)
        goto done;
    for (size_t i = 0; p->tables[i] && rc == 0; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "CREATE TABLE reporting.%s" REBUILD_SUFFIX " (LIKE reporting.%s INCLUDING ALL)",
                 p->tables[i], p->tables[i]);
        rc = pg_exec_command(conn, sql, "creating a rebuild's table");
    }
    if (rc == 0)
        rc = pg_exec_command(conn, "COMMIT", "creating a rebuild's tables");
done:
    if (rc < 0)
        rollback(conn);
    return rc;
}

/* The messages of p's types below the horizon now: the rebuild's first goal. */
static int count_messages(PGconn *conn, const struct projection *p, long *out)
{
    char types[TYPES_MAX];
    projection_types_literal(p, types, sizeof types);
    const char *params[] = {types};
    int rc;
    PGresult *res = exec(&rc, conn,
                         "SELECT count(*) FROM messaging.bus WHERE type = ANY ($1::text[])"
                         "   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())",
                         1, params, "counting the bus's messages");
    if (!res)
        return rc;
    *out = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* The swap: lock, catch up, drop, rename, checkpoint, in ONE transaction. */
static int swap_tables(PGconn *conn, const struct projection *p, struct bus_place *at, int batch,
                       struct batch_result *total)
{
    struct bus_place live;
    bool locked;
    int rc;
    if ((rc = pg_exec_command(conn, "BEGIN", "starting the swap")) < 0 ||
        (rc = pg_exec_command(conn, "SET LOCAL ROLE shop_owner", "becoming shop_owner")) < 0 ||
        (rc = lock_projection(conn, p, false, &live, &locked)) < 0)
        goto fail;
    for (long before = -1; before != total->read && rc == 0;) {
        before = total->read;
        rc = apply_batch(conn, p, REBUILD_SUFFIX, at, batch, total);
    }
    for (size_t i = 0; p->tables[i] && rc == 0; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP TABLE reporting.%s", p->tables[i]);
        if ((rc = pg_exec_command(conn, sql, "dropping the old table")) < 0)
            break;
        snprintf(sql, sizeof sql, "ALTER TABLE reporting.%s" REBUILD_SUFFIX " RENAME TO %s",
                 p->tables[i], p->tables[i]);
        rc = pg_exec_command(conn, sql, "renaming the new table");
    }
    if (rc < 0 ||
        (rc = move_checkpoint(conn, p, at, total->read - total->skipped, total->skipped,
                              total->last_error, true)) < 0 ||
        (rc = pg_exec_command(conn, "COMMIT", "committing the swap")) < 0)
        goto fail;
    return 0;
fail:
    rollback(conn);
    return rc;
}

/*
 * One rebuild of a projection at a time: a session-level advisory lock on its name, held
 * from the new tables' creation to the swap (the projection row's lock is held only in
 * the swap).  A second rebuild would otherwise drop and re-create the first one's tables
 * between its batches, and the first would swap in a table with messages missing.  A
 * rebuild that dies gives the lock back with its connection.
 */
static const char sql_rebuild_lock[] =
    "SELECT pg_try_advisory_lock(hashtext('reporting rebuild'), hashtext($1))";
static const char sql_rebuild_unlock[] =
    "SELECT pg_advisory_unlock(hashtext('reporting rebuild'), hashtext($1))";

static int rebuild_lock(PGconn *conn, const struct projection *p)
{
    const char *params[] = {p->name};
    int rc = 0;
    PGresult *res = exec(&rc, conn, sql_rebuild_lock, 1, params, "taking the rebuild's lock");
    if (rc == 0 && strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        rc = shop_error_set(SHOP_EREFUSED, "a rebuild of %s is already running", p->name);
    PQclear(res);
    return rc;
}

static void rebuild_unlock(PGconn *conn, const struct projection *p)
{
    const char *params[] = {p->name};
    PQclear(PQexecParams(conn, sql_rebuild_unlock, 1, NULL, params, NULL, NULL, 0));
}

static int rebuild_locked(PGconn *conn, const struct projection *p, int batch,
                          volatile sig_atomic_t *stop, rebuild_progress_fn *progress, void *ctx);

int projector_rebuild(PGconn *conn, const struct projection *p, int batch,
                      volatile sig_atomic_t *stop, rebuild_progress_fn *progress, void *ctx)
{
    int rc = rebuild_lock(conn, p);
    if (rc < 0)
        return rc; /* the running rebuild's tables are left alone */
    rc = rebuild_locked(conn, p, batch, stop, progress, ctx);
    if (PQstatus(conn) == CONNECTION_OK)
        rebuild_unlock(conn, p);
    return rc;
}

static int rebuild_locked(PGconn *conn, const struct projection *p, int batch,
                          volatile sig_atomic_t *stop, rebuild_progress_fn *progress, void *ctx)
{
    struct batch_result total = {0};
    struct bus_place at = {0};
    struct rebuild_progress pr = {0};
    int rc;
    if (batch <= 0)
        batch = 500;
    if ((rc = create_new_tables(conn, p)) < 0 || (rc = count_messages(conn, p, &pr.total)) < 0)
        goto fail;
    if (progress)
        progress(ctx, &pr);
    for (;;) {
        if (stop && *stop) {
            rc = shop_error_set(SHOP_EREFUSED, "interrupted: %ld of %ld messages applied", pr.done,
                                pr.total);
            goto fail;
        }
        long before = total.read;
        if ((rc = pg_exec_command(conn, "BEGIN", "starting a rebuild's batch")) < 0 ||
            (rc = pg_exec_command(conn, "SET LOCAL ROLE shop_owner", "becoming shop_owner")) < 0 ||
            (rc = apply_batch(conn, p, REBUILD_SUFFIX, &at, batch, &total)) < 0 ||
            (rc = pg_exec_command(conn, "COMMIT", "committing a rebuild's batch")) < 0) {
            rollback(conn);
            goto fail;
        }
        pr.done = total.read;
        if (pr.done > pr.total)
            pr.total = pr.done;
        if (progress)
            progress(ctx, &pr);
        crash_point("projection.rebuild-batch");
        if (total.read - before < batch)
            break;
    }
    if ((rc = swap_tables(conn, p, &at, batch, &total)) < 0)
        goto fail;
    pr.done = total.read;
    if (pr.done > pr.total)
        pr.total = pr.done;
    pr.final = true;
    if (progress)
        progress(ctx, &pr);
    return 0;
fail : {
    char saved[SHOP_ERROR_MESSAGE_MAX];
    snprintf(saved, sizeof saved, "%s", shop_error_message());
    if (PQstatus(conn) == CONNECTION_OK)
        drop_new_tables(conn, p); /* the live tables keep serving */
    return shop_error_set(rc, "rebuilding %s: %s", p->name, saved);
}
}

/* ------------------------------------------------------------------ the worker */

#define WORKER_BATCH 500

static int projector_worker_open(void **ctx, PGconn *conn, void *arg)
{
    (void)arg;
    *ctx = conn;
    return 0;
}

static int projector_worker_step(void *ctx, bool *more)
{
    PGconn *conn = ctx;
    *more = false;
    for (size_t i = 0; i < projection_count; i++) {
        long n = 0;
        int rc = projector_step(conn, &projections[i], WORKER_BATCH, &n);
        if (rc < 0)
            return rc;
        *more = *more || n == WORKER_BATCH;
    }
    return 0;
}

static void projector_worker_close(void *ctx)
{
    (void)ctx;
}

const struct worker_def projector_worker = {.name = "reporting.projections",
                                            .channels = {"shop_bus"},
                                            .open = projector_worker_open,
                                            .step = projector_worker_step,
                                            .close = projector_worker_close};
