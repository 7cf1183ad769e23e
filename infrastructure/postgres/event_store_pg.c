/*
 * infrastructure/postgres/event_store_pg.c — the event store on PostgreSQL.
 *
 * Pattern: event sourcing, as an adapter (hexagonal architecture) of the event-store port
 * (application/eventstore/event_store.h).  The tables are <context>.events and
 * <context>.snapshots, created by migration 0002_event_store.sql.
 *
 * Optimistic concurrency by the unique key, not by locks.  An append with an exact
 * expected version v inserts versions v+1..v+n only if version v exists ("the predecessor
 * exists"), in ONE statement.  Two writers that both saw v both insert v+1: the unique
 * (stream_id, stream_version) key makes the second wait for the first and then fail with
 * 23505, which is SHOP_ECONFLICT.  A stream that is behind v makes the guard insert zero
 * rows: also a conflict.  Nothing is ever read first and then written (a read-then-write
 * check would let both writers pass the read), and no lock is held across round trips.
 * ES_EXPECT_ANY computes the stream's version in the same statement; when another writer
 * takes the same version in between (23505), it is not the caller's conflict, so the
 * append is retried a bounded number of times.
 *
 * The global log: "WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())".
 * global_position comes from an identity sequence, taken at INSERT time, but transactions
 * commit in any order: a slow writer may take position 10, and commit after another
 * writer's position 11 was read.  A reader that remembered "up to 11" would skip 10 for
 * ever.  So a reader sees only events of transactions older than every transaction still
 * in progress (xmin of its snapshot): all of those have finished, and no event can appear
 * among them later.  Events are ordered, and checkpointed, by (transaction_id,
 * global_position): any transaction that commits later has an id >= that xmin, so it
 * sorts after every checkpoint already handed out — never skipped, never repeated.
 * Position alone would not do as the order even then: an old transaction may insert after
 * younger ones, taking a higher position than events that sort after it.
 * (The cost: one long transaction holds the log back while it runs.)
 *
 * Transactions: an append commits on its own, unless the caller has a transaction open on
 * the connection (PQtransactionStatus), which it then joins, leaving commit or rollback to
 * the caller.  Inside the caller's transaction a failed statement has aborted that
 * transaction, so there an "any" append is not retried: the caller retries its whole unit.
 *
 * Round trips: every statement is prepared once per connection (PQprepare) and run with
 * PQexecPrepared.  A batch of events travels as array parameters that the INSERT unnests
 * WITH ORDINALITY, so an append of n events is one statement, atomic on its own.  An
 * append with a snapshot sends BEGIN, the append, the snapshot upsert and COMMIT in one
 * round trip with libpq's pipeline mode.  load() is a single query: the snapshot row
 * UNION ALL the events after it, read in one statement snapshot so the two agree.
 *
 * Parameters travel in text format; arrays as literals built by pg_array.c (every element
 * quoted and escaped), which keeps the SQL readable and needs no type OIDs in the code.
 * A batch of one has its own statement with plain parameters (no array to parse).
 * Results of reads come in binary format: the events are plain typed columns (the
 * message ids are uuid columns, not JSON), so the server computes and prints nothing and
 * decode_event() copies bytes instead of parsing text.  Times are microseconds since the
 * epoch both ways: timestamptz's binary form is microseconds since 2000-01-01, and the
 * as-of bound is turned into a timestamptz once per statement, not per row.  recorded_at
 * is statement_timestamp(), the start of the appending statement, shared by the events
 * of one append.  Not now() (the transaction's start): a transaction that began early and
 * appends version 2 after another writer's version 1 would stamp version 2 earlier than
 * version 1, and a stream read "as of" a time between them would have a hole.  An append
 * statement starts after its predecessor version committed (its guard must see it), so
 * times only grow along a stream.
 *
 * Read next: tests/contract/event_store_contract.c (the promises, run on this adapter and
 * the in-memory one), tests/integration/event_store_concurrency_test.c.
 */
#include "infrastructure/postgres/event_store_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/postgres/pg_array.h"
#include "infrastructure/postgres/sqlstate.h"

#include <endian.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The event-sourced contexts, whose schemas the migrations give an event store.  The
 * schema name in the SQL comes from here, never from input.  Each one's migration calls
 * shop_ddl.create_event_store() for it (0002 for ordering, 0005 payments, 0006 shipping).
 */
static const char *const event_sourced_contexts[] = {"ordering", "payments", "shipping"};

/*
 * How often an ES_EXPECT_ANY append is tried when other writers keep taking its version.
 * Each round some writer succeeds, so the stream always moves on; retrying at once is right
 * (the winner has committed when the loser hears of it).  A writer racing w - 1 others
 * loses k rounds in a row with a chance of about ((w - 1) / w)^k: with 4 writers hammering
 * one stream, 20 attempts would fail about once in 300 appends, 50 once in 2 million.
 */
#define ES_ANY_ATTEMPTS 50

/*
 * The columns of an event, in the order decode_event() reads them.  The converted ones get
 * names of their own: an ORDER BY transaction_id must mean the xid8 column (and use the
 * index), not the text made of it, which would sort "10" before "9".
 */
/* Read in binary (see decode_event): plain columns, nothing for the server to compute. */
#define EVENT_COLUMNS                                                                              \
    "global_position, stream_id, stream_version, type, schema_version, data,"                      \
    " message_id, correlation_id, causation_id, traceparent, recorded_at, transaction_id"

/* The statements, with {schema} standing for the context's quoted schema name. */
enum { ST_APPEND, ST_APPEND_ONE, ST_SNAPSHOT, ST_READ_STREAM, ST_LOAD, ST_READ_ALL, ST_COUNT };

static const char *const statement_suffix[ST_COUNT] = {
    "append", "append_one", "snapshot", "read_stream", "load", "read_all"};

static const char *const statement_sql[ST_COUNT] = {
    /* $1 stream, $2 expected version (-1: any), then one array per field of the events.
     * The base version is the expected one, or for "any" the stream's current version,
     * computed in the same statement.  The WHERE is the predecessor guard; a version
     * already taken is the unique key's business. */
    [ST_APPEND] =
        "INSERT INTO {schema}.events"
        "       (stream_id, stream_version, type, schema_version, data,"
        "        message_id, correlation_id, causation_id, traceparent)"
        " SELECT $1, base.version + e.n, e.type, e.schema_version, e.data,"
        "        e.message_id, e.correlation_id, e.causation_id, e.traceparent"
        "   FROM (SELECT CASE WHEN $2::bigint = -1"
        "                     THEN (SELECT coalesce(max(stream_version), 0)"
        "                             FROM {schema}.events WHERE stream_id = $1)"
        "                     ELSE $2::bigint END AS version) AS base,"
        "        unnest($3::text[], $4::int[], $5::jsonb[], $6::uuid[], $7::uuid[], $8::uuid[],"
        "               $9::text[])"
        "        WITH ORDINALITY AS e (type, schema_version, data, message_id, correlation_id,"
        "                              causation_id, traceparent, n)"
        "  WHERE $2::bigint <= 0"
        "     OR EXISTS (SELECT 1 FROM {schema}.events"
        "                 WHERE stream_id = $1 AND stream_version = $2::bigint)"
        "  ORDER BY e.n"
        " RETURNING stream_version",

    /* The same for a batch of one, the common case, without arrays to parse and unnest. */
    [ST_APPEND_ONE] =
        "INSERT INTO {schema}.events"
        "       (stream_id, stream_version, type, schema_version, data,"
        "        message_id, correlation_id, causation_id, traceparent)"
        " SELECT $1, base.version + 1, $3, $4::int, $5::jsonb, $6::uuid, $7::uuid, $8::uuid, $9"
        "   FROM (SELECT CASE WHEN $2::bigint = -1"
        "                     THEN (SELECT coalesce(max(stream_version), 0)"
        "                             FROM {schema}.events WHERE stream_id = $1)"
        "                     ELSE $2::bigint END AS version) AS base"
        "  WHERE $2::bigint <= 0"
        "     OR EXISTS (SELECT 1 FROM {schema}.events"
        "                 WHERE stream_id = $1 AND stream_version = $2::bigint)"
        " RETURNING stream_version",

    /* Written only if the version it describes exists: not after an append that inserted
     * nothing.  Never replaces a newer snapshot with an older one. */
    [ST_SNAPSHOT] =
        "INSERT INTO {schema}.snapshots (stream_id, stream_version, schema_version, data)"
        " SELECT $1, $2::bigint, $3::int, $4::jsonb"
        "  WHERE EXISTS (SELECT 1 FROM {schema}.events"
        "                 WHERE stream_id = $1 AND stream_version = $2::bigint)"
        " ON CONFLICT (stream_id) DO UPDATE"
        "    SET stream_version = excluded.stream_version,"
        "        schema_version = excluded.schema_version,"
        "        data = excluded.data, recorded_at = excluded.recorded_at"
        "  WHERE snapshots.stream_version < excluded.stream_version",

    [ST_READ_STREAM] = "SELECT " EVENT_COLUMNS " FROM {schema}.events"
                       " WHERE stream_id = $1 AND stream_version BETWEEN $2::bigint AND $3::bigint"
                       "   AND recorded_at <= CASE WHEN $4::bigint = 9223372036854775807"
                       "                           THEN 'infinity'::timestamptz"
                       "                           ELSE timestamptz 'epoch'"
                       "                                + $4::bigint * interval '1 microsecond' END"
                       " ORDER BY stream_version",

    /* First column: is this row the snapshot?  The snapshot row fills stream_version,
     * schema_version and data; one statement, so snapshot and events agree. */
    [ST_LOAD] = "WITH snapshot AS MATERIALIZED ("
                "    SELECT stream_version, schema_version, data FROM {schema}.snapshots"
                "     WHERE stream_id = $1 AND schema_version = $2::int)"
                " SELECT true, NULL::bigint, NULL::text, stream_version, NULL::text,"
                "        schema_version, data, NULL::uuid, NULL::uuid, NULL::uuid,"
                "        NULL::text, NULL::timestamptz, NULL::xid8"
                "   FROM snapshot"
                " UNION ALL"
                " SELECT false, " EVENT_COLUMNS " FROM {schema}.events"
                "  WHERE stream_id = $1"
                "    AND stream_version > coalesce((SELECT stream_version FROM snapshot), 0)"
                " ORDER BY 1 DESC, 4",

    [ST_READ_ALL] = "SELECT " EVENT_COLUMNS " FROM {schema}.events"
                    " WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
                    "   AND (transaction_id, global_position) > ($1::xid8, $2::bigint)"
                    " ORDER BY transaction_id, global_position"
                    " LIMIT $3::bigint",
};

struct event_store_pg {
    struct event_store base; /* first: the port */
    PGconn *conn;            /* borrowed */
    const char *context;     /* from event_sourced_contexts */
    char statement[ST_COUNT][64];
};

/* ------------------------------------------------------------------ helpers */

static const char *sqlstate_of(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

static int parse_i64(int64_t *out, const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col) || text_parse_int64(out, PQgetvalue(res, row, col)) < 0)
        return shop_error_set(SHOP_EINTERNAL, "unexpected value %s in column %d of the event store",
                              PQgetvalue(res, row, col), col + 1);
    return 0;
}

/*
 * Reading events: results come in binary format (resultFormat 1), so the server sends
 * integers, UUIDs and times as they are stored and nothing is printed or parsed as text:
 * int8, xid8 and timestamptz are 8 bytes in network order (timestamptz in microseconds
 * since 2000-01-01), int4 is 4, uuid is 16, text is its bytes and jsonb is a version
 * byte (1) followed by the JSON text.  libpq ends every value with a NUL byte.
 */
#define POSTGRES_EPOCH_US INT64_C(946684800000000) /* 2000-01-01 - 1970-01-01 */

static int bad_column(const PGresult *res, int col)
{
    return shop_error_set(SHOP_EINTERNAL, "unexpected value in column %s of the event store",
                          PQfname(res, col));
}

static int binary_u64(uint64_t *out, const PGresult *res, int row, int col)
{
    uint64_t be;
    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 8)
        return bad_column(res, col);
    memcpy(&be, PQgetvalue(res, row, col), 8);
    *out = be64toh(be);
    return 0;
}

static int binary_i64(int64_t *out, const PGresult *res, int row, int col)
{
    uint64_t v;
    int rc = binary_u64(&v, res, row, col);
    *out = (int64_t)v;
    return rc;
}

static int binary_i32(int *out, const PGresult *res, int row, int col)
{
    uint32_t be;
    if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 4)
        return bad_column(res, col);
    memcpy(&be, PQgetvalue(res, row, col), 4);
    *out = (int)(int32_t)be32toh(be);
    return 0;
}

/* A message id; NULL (none given) is the nil UUID. */
static int binary_uuid(shop_uuid *out, const PGresult *res, int row, int col)
{
    memset(out, 0, sizeof *out);
    if (PQgetisnull(res, row, col))
        return 0;
    if (PQgetlength(res, row, col) != 16)
        return bad_column(res, col);
    memcpy(out->bytes, PQgetvalue(res, row, col), 16);
    return 0;
}

/* A text column into a fixed buffer ("" for NULL), cut to fit (the store's checks keep
 * them short). */
static void binary_text(char *out, size_t size, const PGresult *res, int row, int col)
{
    size_t len = (size_t)PQgetlength(res, row, col);
    if (len >= size)
        len = size - 1;
    memcpy(out, PQgetvalue(res, row, col), len);
    out[len] = '\0';
}

/* A jsonb column's JSON text, allocated. */
static int binary_jsonb(char **out, const PGresult *res, int row, int col)
{
    const char *v = PQgetvalue(res, row, col);
    int len = PQgetlength(res, row, col);
    if (PQgetisnull(res, row, col) || len < 1 || v[0] != 1)
        return bad_column(res, col);
    *out = shop_xstrndup(v + 1, (size_t)len - 1);
    return 0;
}

/* Reads EVENT_COLUMNS starting at column c into e (e->data is allocated). */
static int decode_event(struct es_event *e, const PGresult *res, int row, int c)
{
    int64_t recorded_at;
    int rc;
    memset(e, 0, sizeof *e);
    if ((rc = binary_i64(&e->global_position, res, row, c + 0)) < 0 ||
        (rc = binary_i64(&e->stream_version, res, row, c + 2)) < 0 ||
        (rc = binary_i32(&e->schema_version, res, row, c + 4)) < 0 ||
        (rc = binary_uuid(&e->meta.message_id, res, row, c + 6)) < 0 ||
        (rc = binary_uuid(&e->meta.correlation_id, res, row, c + 7)) < 0 ||
        (rc = binary_uuid(&e->meta.causation_id, res, row, c + 8)) < 0 ||
        (rc = binary_i64(&recorded_at, res, row, c + 10)) < 0 ||
        (rc = binary_u64(&e->transaction_id, res, row, c + 11)) < 0)
        return rc;
    e->recorded_at_us = recorded_at + POSTGRES_EPOCH_US;
    binary_text(e->stream_id, sizeof e->stream_id, res, row, c + 1);
    binary_text(e->type, sizeof e->type, res, row, c + 3);
    binary_text(e->meta.traceparent, sizeof e->meta.traceparent, res, row, c + 9);
    return binary_jsonb(&e->data, res, row, c + 5);
}

/* Rows first..count-1 of res, as events, into out (which it fills or leaves empty). */
static int decode_events(struct es_event_list *out, const PGresult *res, int first, int column)
{
    int rows = PQntuples(res);
    out->items = NULL;
    out->count = 0;
    if (rows <= first)
        return 0;
    out->items = shop_xcalloc((size_t)(rows - first), sizeof *out->items);
    for (int r = first; r < rows; r++) {
        int rc = decode_event(&out->items[out->count], res, r, column);
        if (rc < 0) {
            es_event_list_dispose(out);
            return rc;
        }
        out->count++;
    }
    return 0;
}

/* ------------------------------------------------------------------ append */

/* The parameters of ST_APPEND (the batch as arrays) or ST_APPEND_ONE: nine text values. */
struct append_params {
    int statement; /* ST_APPEND or ST_APPEND_ONE */
    char expected[24];
    struct pg_array types, schema_versions, data, ids[3], traceparents;
    char schema_version[16];           /* ST_APPEND_ONE's */
    char id_text[3][UUID_STRING_SIZE]; /* ST_APPEND_ONE's */
    const char *values[9];
};

/* An event's three ids, in the order of the columns; a nil id is stored as NULL. */
static void meta_ids(const shop_uuid *out[3], const struct message_meta *m)
{
    out[0] = &m->message_id;
    out[1] = &m->correlation_id;
    out[2] = &m->causation_id;
}

static void append_params_init(struct append_params *p, const char *stream_id,
                               int64_t expected_version, const struct es_new_event *events,
                               size_t n)
{
    struct pg_array *arrays[] = {&p->types,  &p->schema_versions, &p->data,
                                 &p->ids[0], &p->ids[1],          &p->ids[2],
                                 &p->traceparents};
    const shop_uuid *ids[3];
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        pg_array_init(arrays[i]);
    snprintf(p->expected, sizeof p->expected, "%" PRId64, expected_version);
    p->values[0] = stream_id;
    p->values[1] = p->expected;
    if (n == 1) {
        p->statement = ST_APPEND_ONE;
        snprintf(p->schema_version, sizeof p->schema_version, "%d", events[0].schema_version);
        p->values[2] = events[0].type;
        p->values[3] = p->schema_version;
        p->values[4] = events[0].data;
        meta_ids(ids, &events[0].meta);
        for (int k = 0; k < 3; k++) /* a NULL parameter is SQL NULL */
            p->values[5 + k] = uuid_is_nil(*ids[k]) ? NULL : uuid_format(p->id_text[k], *ids[k]);
        p->values[8] = events[0].meta.traceparent[0] ? events[0].meta.traceparent : NULL;
        return;
    }
    p->statement = ST_APPEND;
    for (size_t i = 0; i < n; i++) {
        pg_array_add(&p->types, events[i].type);
        pg_array_add_int64(&p->schema_versions, events[i].schema_version);
        pg_array_add(&p->data, events[i].data);
        meta_ids(ids, &events[i].meta);
        for (int k = 0; k < 3; k++) {
            char text[UUID_STRING_SIZE];
            if (uuid_is_nil(*ids[k]))
                pg_array_add_null(&p->ids[k]);
            else
                pg_array_add(&p->ids[k], uuid_format(text, *ids[k]));
        }
        if (events[i].meta.traceparent[0])
            pg_array_add(&p->traceparents, events[i].meta.traceparent);
        else
            pg_array_add_null(&p->traceparents);
    }
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        p->values[2 + i] = pg_array_text(arrays[i]);
}

static void append_params_dispose(struct append_params *p)
{
    pg_array_dispose(&p->types);
    pg_array_dispose(&p->schema_versions);
    pg_array_dispose(&p->data);
    for (int k = 0; k < 3; k++)
        pg_array_dispose(&p->ids[k]);
    pg_array_dispose(&p->traceparents);
}

/*
 * What the append statement's result means.  *lost_race is set when an "any" append
 * collided with another writer (23505), which the caller may retry.
 */
static int append_outcome(struct event_store_pg *s, const PGresult *res, const char *stream_id,
                          int64_t expected_version, size_t n, int64_t *out_version, bool *lost_race)
{
    *lost_race = false;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char what[ES_STREAM_ID_MAX + 32];
        snprintf(what, sizeof what, "appending to stream %s", stream_id);
        int rc = pg_result_error(s->conn, res, what);
        if (strcmp(sqlstate_of(res), "23505") != 0)
            return rc;
        if (expected_version != ES_EXPECT_ANY)
            return es_conflict(stream_id, expected_version, 0);
        *lost_race = true;
        return rc;
    }
    int rows = PQntuples(res);
    if (rows == 0)
        return es_conflict(stream_id, expected_version, 1);
    if ((size_t)rows != n)
        return shop_error_set(SHOP_EINTERNAL, "stream %s: %d of %zu events appended", stream_id,
                              rows, n);
    int64_t version = 0;
    for (int r = 0; r < rows; r++) {
        int64_t v;
        int rc = parse_i64(&v, res, r, 0);
        if (rc < 0)
            return rc;
        if (v > version)
            version = v;
    }
    *out_version = version;
    return 0;
}

/* Without a snapshot: one statement, which commits on its own or joins the caller's
 * transaction. */
static int append_events(struct event_store_pg *s, int64_t *out_version, const char *stream_id,
                         int64_t expected_version, const struct append_params *p, size_t n)
{
    /* Inside the caller's transaction a failed statement has aborted that transaction:
     * no retry is possible there, the caller rolls back and retries the whole unit. */
    int attempts = PQtransactionStatus(s->conn) == PQTRANS_IDLE ? ES_ANY_ATTEMPTS : 1;
    for (int attempt = 1;; attempt++) {
        bool lost_race;
        PGresult *res =
            PQexecPrepared(s->conn, s->statement[p->statement], 9, p->values, NULL, NULL, 0);
        int rc = append_outcome(s, res, stream_id, expected_version, n, out_version, &lost_race);
        PQclear(res);
        if (!lost_race)
            return rc;
        if (attempts == 1)
            return shop_error_set(SHOP_ECONFLICT,
                                  "stream %s: another writer appended at the same moment; the "
                                  "transaction is aborted, roll it back and retry",
                                  stream_id);
        if (attempt >= attempts)
            return shop_error_set(SHOP_ECONFLICT,
                                  "stream %s: other writers appended first %d times in a row",
                                  stream_id, attempts);
    }
}

/*
 * Reads the results of `count` pipelined queries and of the sync after them.  results[i]
 * gets query i's result (NULL if none came).  After an error the server skips the rest
 * up to the sync: those queries answer PGRES_PIPELINE_ABORTED.
 */
static void pipeline_collect(PGconn *conn, PGresult **results, int count)
{
    int query = 0; /* whose results are being read; a NULL ends each query's results */
    for (int i = 0; i < count; i++)
        results[i] = NULL;
    for (;;) {
        PGresult *r = PQgetResult(conn);
        if (!r) {
            if (PQstatus(conn) == CONNECTION_BAD || ++query > count + 1)
                return;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            return;
        }
        if (query < count && !results[query])
            results[query] = r;
        else
            PQclear(r);
    }
}

/*
 * With a snapshot: [BEGIN,] append, snapshot upsert[, COMMIT] in one round trip (pipeline
 * mode).  BEGIN/COMMIT only if no transaction is open; otherwise the caller's transaction
 * is joined and the caller commits.
 */
static int append_with_snapshot(struct event_store_pg *s, int64_t *out_version,
                                const char *stream_id, int64_t expected_version,
                                const struct append_params *p, size_t n,
                                const struct es_snapshot *snapshot)
{
    enum { Q_BEGIN, Q_APPEND, Q_SNAPSHOT, Q_COMMIT, Q_COUNT };
    PGresult *results[Q_COUNT] = {NULL};
    bool own_transaction = PQtransactionStatus(s->conn) == PQTRANS_IDLE;
    char what[ES_STREAM_ID_MAX + 48];
    char version[24], schema_version[16];
    int rc = 0;

    snprintf(what, sizeof what, "appending to stream %s with a snapshot", stream_id);
    snprintf(version, sizeof version, "%" PRId64, snapshot->stream_version);
    snprintf(schema_version, sizeof schema_version, "%d", snapshot->schema_version);
    const char *snapshot_values[4] = {stream_id, version, schema_version, snapshot->data};

    if (!PQenterPipelineMode(s->conn))
        return pg_result_error(s->conn, NULL, what);

    /* BEGIN and COMMIT are plain (unprepared) statements: pipeline mode allows only the
     * extended protocol, which PQsendQueryParams speaks. */
    bool sent =
        (!own_transaction || PQsendQueryParams(s->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0)) &&
        PQsendQueryPrepared(s->conn, s->statement[p->statement], 9, p->values, NULL, NULL, 0) &&
        PQsendQueryPrepared(s->conn, s->statement[ST_SNAPSHOT], 4, snapshot_values, NULL, NULL,
                            0) &&
        (!own_transaction || PQsendQueryParams(s->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0));
    if (!sent)
        rc = pg_result_error(s->conn, NULL, what);
    /* Even after a failed send, sync and drain, so the connection leaves pipeline mode. */
    if (!PQpipelineSync(s->conn)) {
        if (rc == 0)
            rc = pg_result_error(s->conn, NULL, what);
    } else if (own_transaction) {
        pipeline_collect(s->conn, results, Q_COUNT);
    } else {
        pipeline_collect(s->conn, results + Q_APPEND, 2); /* no BEGIN, no COMMIT */
    }
    /* Fails only if results were left unread (a sync that could not be sent): the
     * connection is then unusable for anything else, and the caller must know. */
    if (!PQexitPipelineMode(s->conn) && rc == 0)
        rc = shop_error_set(SHOP_EUNAVAILABLE, "%s: the connection is stuck in pipeline mode: %s",
                            what, PQerrorMessage(s->conn));

    /* The first failure explains the rest (those were aborted). */
    for (int q = 0; q < Q_COUNT && rc == 0; q++) {
        if (!own_transaction && (q == Q_BEGIN || q == Q_COMMIT))
            continue;
        PGresult *r = results[q];
        if (!r) {
            rc = pg_result_error(s->conn, NULL, what);
        } else if (q == Q_APPEND) {
            bool lost_race;
            rc = append_outcome(s, r, stream_id, expected_version, n, out_version, &lost_race);
        } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = pg_result_error(s->conn, r, what);
        }
    }
    for (int q = 0; q < Q_COUNT; q++)
        PQclear(results[q]);

    /* A failure inside the transaction we began leaves it aborted: end it. */
    if (own_transaction && PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
        PGresult *rb = PQexec(s->conn, "ROLLBACK");
        PQclear(rb);
    }
    return rc;
}

static int pg_append(struct event_store *self, int64_t *out_version, const char *stream_id,
                     int64_t expected_version, const struct es_new_event *events, size_t n,
                     const struct es_snapshot *snapshot)
{
    struct event_store_pg *s = (struct event_store_pg *)self;
    struct append_params p;
    int64_t version = 0;
    int rc = es_check_append(stream_id, expected_version, events, n, snapshot);
    if (rc < 0)
        return rc;

    append_params_init(&p, stream_id, expected_version, events, n);
    if (snapshot)
        rc = append_with_snapshot(s, &version, stream_id, expected_version, &p, n, snapshot);
    else
        rc = append_events(s, &version, stream_id, expected_version, &p, n);
    append_params_dispose(&p);
    if (rc == 0 && out_version)
        *out_version = version;
    return rc;
}

/* ------------------------------------------------------------------ reading */

static int pg_read_stream(struct event_store *self, struct es_event_list *out,
                          const char *stream_id, struct es_stream_range range)
{
    struct event_store_pg *s = (struct event_store_pg *)self;
    int rc = es_check_read_stream(out, stream_id, range);
    if (rc < 0)
        return rc;

    char from[24], to[24], until[24], what[ES_STREAM_ID_MAX + 32];
    snprintf(from, sizeof from, "%" PRId64, range.from_version);
    snprintf(to, sizeof to, "%" PRId64, range.to_version);
    /* PostgreSQL's times end in the year 294276 and start in 4713 BC: a bound beyond
     * either is "no bound" or "before everything", not an error. */
    int64_t until_us = range.until_us;
    if (until_us > INT64_C(3000000000000000000)) /* about the year 97,000 */
        until_us = ES_UNBOUNDED;
    else if (until_us < INT64_C(-200000000000000000)) /* about 4400 BC */
        until_us = INT64_C(-200000000000000000);
    snprintf(until, sizeof until, "%" PRId64, until_us);
    const char *values[4] = {stream_id, from, to, until};

    PGresult *res = PQexecPrepared(s->conn, s->statement[ST_READ_STREAM], 4, values, NULL, NULL, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(what, sizeof what, "reading stream %s", stream_id);
        rc = pg_result_error(s->conn, res, what);
    } else {
        rc = decode_events(out, res, 0, 0);
    }
    PQclear(res);
    return rc;
}

static int pg_load(struct event_store *self, struct es_snapshot *out_snapshot,
                   struct es_event_list *out_events, const char *stream_id,
                   int snapshot_schema_version)
{
    struct event_store_pg *s = (struct event_store_pg *)self;
    int rc = es_check_load(out_snapshot, out_events, stream_id, snapshot_schema_version);
    if (rc < 0)
        return rc;

    char schema_version[16], what[ES_STREAM_ID_MAX + 32];
    snprintf(schema_version, sizeof schema_version, "%d", snapshot_schema_version);
    const char *values[2] = {stream_id, schema_version};

    PGresult *res = PQexecPrepared(s->conn, s->statement[ST_LOAD], 2, values, NULL, NULL, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(what, sizeof what, "loading stream %s", stream_id);
        rc = pg_result_error(s->conn, res, what);
        goto done;
    }
    int first_event = 0;
    /* binary bool: one byte, 1 for true */
    if (PQntuples(res) > 0 && PQgetlength(res, 0, 0) == 1 && PQgetvalue(res, 0, 0)[0] == 1) {
        /* The snapshot row: columns 1.. are EVENT_COLUMNS; 3, 5 and 6 are filled. */
        if ((rc = binary_i64(&out_snapshot->stream_version, res, 0, 3)) < 0 ||
            (rc = binary_jsonb(&out_snapshot->data, res, 0, 6)) < 0)
            goto done;
        out_snapshot->schema_version = snapshot_schema_version;
        first_event = 1;
    }
    rc = decode_events(out_events, res, first_event, 1);
    if (rc < 0)
        es_snapshot_dispose(out_snapshot);
done:
    PQclear(res);
    return rc;
}

static int pg_read_all(struct event_store *self, struct es_event_list *out,
                       struct es_checkpoint after, size_t max_count)
{
    struct event_store_pg *s = (struct event_store_pg *)self;
    int rc = es_check_read_all(out, max_count);
    if (rc < 0)
        return rc;

    char xid[24], position[24], limit[24];
    snprintf(xid, sizeof xid, "%" PRIu64, after.transaction_id);
    snprintf(position, sizeof position, "%" PRId64, after.global_position);
    /* A result has at most INT_MAX rows (PQntuples). */
    snprintf(limit, sizeof limit, "%zu", max_count < INT_MAX ? max_count : (size_t)INT_MAX);
    const char *values[3] = {xid, position, limit};

    PGresult *res = PQexecPrepared(s->conn, s->statement[ST_READ_ALL], 3, values, NULL, NULL, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_result_error(s->conn, res, "reading the global log");
    else
        rc = decode_events(out, res, 0, 0);
    PQclear(res);
    return rc;
}

/* ------------------------------------------------------------------ setup */

/* The SQL of a statement for this context: every {schema} replaced by the quoted name. */
static char *statement_text(const char *template, const char *schema)
{
    static const char placeholder[] = "{schema}";
    size_t plen = sizeof placeholder - 1, slen = strlen(schema), count = 0;
    for (const char *p = strstr(template, placeholder); p; p = strstr(p + plen, placeholder))
        count++;
    char *sql = shop_xmalloc(strlen(template) + count * slen + 1);
    char *w = sql;
    for (const char *p = template;;) {
        const char *hit = strstr(p, placeholder);
        size_t keep = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(w, p, keep);
        w += keep;
        if (!hit)
            break;
        memcpy(w, schema, slen);
        w += slen;
        p = hit + plen;
    }
    *w = '\0';
    return sql;
}

/*
 * Prepares the statements this connection does not have yet.  A second adapter on the
 * same connection (same names) reuses the first one's: asking pg_prepared_statements
 * first never fails, where preparing twice would (42P05) and would abort a transaction
 * the caller has open.  Statements live as long as the connection; es_free leaves them.
 */
static int prepare_statements(struct event_store_pg *s)
{
    struct pg_array names;
    bool present[ST_COUNT] = {false};
    char *schema = NULL;
    int rc = 0;

    pg_array_init(&names);
    for (int i = 0; i < ST_COUNT; i++)
        pg_array_add(&names, s->statement[i]);
    const char *values[1] = {pg_array_text(&names)};
    PGresult *res = PQexecParams(
        s->conn, "SELECT name FROM pg_prepared_statements WHERE name = ANY ($1::text[])", 1, NULL,
        values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(s->conn, res, "looking up the event store's prepared statements");
        PQclear(res);
        goto done;
    }
    for (int r = 0; r < PQntuples(res); r++)
        for (int i = 0; i < ST_COUNT; i++)
            present[i] |= strcmp(PQgetvalue(res, r, 0), s->statement[i]) == 0;
    PQclear(res);

    char *quoted = PQescapeIdentifier(s->conn, s->context, strlen(s->context));
    if (!quoted) {
        rc = pg_result_error(s->conn, NULL, "quoting the event store's schema name");
        goto done;
    }
    schema = shop_xstrdup(quoted);
    PQfreemem(quoted);

    for (int i = 0; i < ST_COUNT && rc == 0; i++) {
        if (present[i])
            continue;
        char *sql = statement_text(statement_sql[i], schema);
        res = PQprepare(s->conn, s->statement[i], sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            char what[128];
            snprintf(what, sizeof what,
                     "preparing the event store of %s (is the database migrated?)", s->context);
            rc = pg_result_error(s->conn, res, what);
            /* A missing table or schema here means the migrations have not run: the
             * database is not ready (exit 3), not a fault of the program. */
            const char *state = sqlstate_of(res);
            if (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0)
                rc = shop_error_set(SHOP_EUNAVAILABLE, "%s", shop_error_message());
        }
        PQclear(res);
        free(sql);
    }
done:
    free(schema);
    pg_array_dispose(&names);
    return rc;
}

static void pg_free(struct event_store *self)
{
    free(self);
}

int event_store_pg_new(struct event_store **out, PGconn *conn, const char *context)
{
    *out = NULL;
    const char *known = NULL;
    for (size_t i = 0; i < sizeof event_sourced_contexts / sizeof event_sourced_contexts[0]; i++)
        if (context && strcmp(context, event_sourced_contexts[i]) == 0)
            known = event_sourced_contexts[i];
    if (!known) {
        char q[TEXT_QUOTE_SIZE], list[128] = "";
        for (size_t i = 0; i < sizeof event_sourced_contexts / sizeof event_sourced_contexts[0];
             i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     event_sourced_contexts[i]);
        return shop_error_set(SHOP_EINVALID, "context \"%s\" is not event-sourced (known: %s)",
                              text_quote(q, context), list);
    }

    struct event_store_pg *s = shop_xcalloc(1, sizeof *s);
    s->base.version = EVENT_STORE_VERSION;
    s->base.append = pg_append;
    s->base.read_stream = pg_read_stream;
    s->base.load = pg_load;
    s->base.read_all = pg_read_all;
    s->base.free = pg_free;
    s->conn = conn;
    s->context = known;
    for (int i = 0; i < ST_COUNT; i++)
        snprintf(s->statement[i], sizeof s->statement[i], "es_%s_%s", known, statement_suffix[i]);

    int rc = prepare_statements(s);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *out = &s->base;
    return 0;
}
