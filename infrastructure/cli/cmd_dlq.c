/*
 * infrastructure/cli/cmd_dlq.c — `shop dlq list | show ID | replay ID | discard ID`: the
 * messages a subscriber gave up on (messaging.dead_letters, migration 0007).
 *
 * An operations command: it reads and changes PostgreSQL directly (like `shop events
 * tail`), connected with --db / SHOP_DATABASE_URL as the operator — the database's owner
 * or a superuser — who sees every context's rows through the row-level security of the
 * bookkeeping tables (each context's role sees only its own).
 *
 *   list     every dead letter, oldest first
 *   show     one, with the bus message it is about: payload, ids, trace context
 *   replay   in ONE transaction: park it again in messaging.retries — same subscriber,
 *            position, stream and message id, attempts 0, due now, in the partition its
 *            stream hashes to ((hashtext(stream) & 2147483647) % the subscription's
 *            partitions, as the consumer spreads streams), owned by the context's role
 *            that wrote it so its consumer sees it — and delete the dead letter.  The
 *            consumer handles it again; its inbox keeps a message it had handled from
 *            counting twice.
 *   discard  delete it, printing what was discarded
 * An unknown ID is exit 1 ("no dead letter 42"); an ID that is not a whole number >= 1
 * is exit 2.  --json shapes: docs/cli.md.
 * Read next: infrastructure/messaging/consumer.h (how messages become dead letters)
 */
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/postgres/sqlstate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns every subcommand reads, in this order (dead_letter_json's). */
#define DEAD_LETTER_COLUMNS                                                                        \
    "d.id::text, d.subscriber, d.type, d.attempts, d.last_error, d.stream, d.position::text,"      \
    " d.message_id::text, (extract(epoch FROM d.dead_at) * 1000000)::bigint, d.owner::text"
#define DEAD_LETTER_COLUMN_COUNT 10

/* {id, subscriber, message_type, attempts, last_error, stream, position, message_id,
 *  dead_at, owner} of one row (ids and positions as strings of digits). */
static cJSON *dead_letter_json(const PGresult *res, int row)
{
    char when[CLI_TIME_SIZE];
    int64_t us = 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", PQgetvalue(res, row, 0));
    cJSON_AddStringToObject(o, "subscriber", PQgetvalue(res, row, 1));
    cJSON_AddStringToObject(o, "message_type", PQgetvalue(res, row, 2));
    cJSON_AddNumberToObject(o, "attempts", atoi(PQgetvalue(res, row, 3)));
    cJSON_AddStringToObject(o, "last_error", PQgetvalue(res, row, 4));
    cJSON_AddStringToObject(o, "stream", PQgetvalue(res, row, 5));
    cJSON_AddStringToObject(o, "position", PQgetvalue(res, row, 6));
    cJSON_AddStringToObject(o, "message_id", PQgetvalue(res, row, 7));
    text_parse_int64(&us, PQgetvalue(res, row, 8));
    cJSON_AddStringToObject(o, "dead_at", cli_format_time(when, us));
    cJSON_AddStringToObject(o, "owner", PQgetvalue(res, row, 9));
    return o;
}

static const char *member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int member_int(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* The ID argument: a whole number >= 1, else exit 2 naming it. */
static int parse_id(struct cli *cli, const char *command, int argc, char **argv, const char **out)
{
    int first;
    int status = cli_parse(cli, cli_find_command(command), argc, argv, NULL, NULL, NULL, 1, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "ID is missing");
    int64_t id;
    char q[TEXT_QUOTE_SIZE];
    if (text_parse_int64(&id, argv[first]) < 0 || id < 1)
        return cli_usage_error(cli, "ID '%s': expected the number of a dead letter (1 or more)",
                               text_quote(q, argv[first]));
    *out = argv[first];
    return -1;
}

/* Runs sql with the parameters; a failed result is the CLI's failure (exit status). */
static int query(struct cli *cli, PGconn *conn, PGresult **out, const char *sql, int n,
                 const char *const *values, const char *what)
{
    *out = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(*out);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return 0;
    int status = cli_fail(cli, pg_result_error(conn, *out, what));
    PQclear(*out);
    *out = NULL;
    return status;
}

static int not_found(struct cli *cli, const char *id)
{
    return cli_fail(cli, shop_error_set(SHOP_ENOTFOUND, "no dead letter %s", id));
}

/* ------------------------------------------------------------------ list */

int cmd_dlq_list(struct cli *cli, int argc, char **argv)
{
    int status =
        cli_parse(cli, cli_find_command("dlq list"), argc, argv, NULL, NULL, NULL, 0, NULL);
    if (status >= 0)
        return status;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    if ((status = cli_connect(cli, &conn)) != 0 ||
        (status =
             query(cli, conn, &res,
                   "SELECT " DEAD_LETTER_COLUMNS " FROM messaging.dead_letters d ORDER BY d.id", 0,
                   NULL, "listing the dead letters")) != 0)
        goto done;

    cJSON *doc = cJSON_CreateArray();
    for (int row = 0; row < PQntuples(res); row++)
        cJSON_AddItemToArray(doc, dead_letter_json(res, row));
    if (cli->json) {
        cli_print_json(doc);
        goto done;
    }
    if (cJSON_GetArraySize(doc) == 0)
        printf("No dead letters.\n");
    else
        printf("%6s  %-28s  %-24s  %8s  %-27s  %s\n", "ID", "SUBSCRIBER", "TYPE", "ATTEMPTS",
               "DEAD AT", "LAST ERROR");
    const cJSON *d;
    cJSON_ArrayForEach(d, doc)
    {
        printf("%6s  %-28s  %-24s  %8d  %-27s  %s\n", member(d, "id"), member(d, "subscriber"),
               member(d, "message_type"), member_int(d, "attempts"), member(d, "dead_at"),
               member(d, "last_error"));
    }
    cJSON_Delete(doc);
done:
    PQclear(res);
    PQfinish(conn);
    return status;
}

/* ------------------------------------------------------------------ show */

int cmd_dlq_show(struct cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    int status = parse_id(cli, "dlq show", argc, argv, &id);
    if (status >= 0)
        return status;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const char *values[1] = {id};
    if ((status = cli_connect(cli, &conn)) != 0 ||
        (status = query(cli, conn, &res,
                        "SELECT " DEAD_LETTER_COLUMNS ", b.payload::text, b.correlation_id::text,"
                        " b.causation_id::text, b.traceparent, b.source, b.schema_version,"
                        " (extract(epoch FROM b.published_at) * 1000000)::bigint"
                        "  FROM messaging.dead_letters d"
                        "  LEFT JOIN messaging.bus b ON b.position = d.position"
                        " WHERE d.id = $1::bigint",
                        1, values, "reading a dead letter")) != 0)
        goto done;
    if (PQntuples(res) == 0) {
        status = not_found(cli, id);
        goto done;
    }

    cJSON *doc = dead_letter_json(res, 0);
    int c = DEAD_LETTER_COLUMN_COUNT;
    bool on_bus = !PQgetisnull(res, 0, c + 4);
    cJSON *payload = on_bus ? cJSON_Parse(PQgetvalue(res, 0, c)) : NULL;
    cJSON_AddItemToObject(doc, "payload", payload ? payload : cJSON_CreateNull());
    static const char *const ids[] = {"correlation_id", "causation_id", "traceparent", "source"};
    for (int i = 0; i < 4; i++) {
        if (PQgetisnull(res, 0, c + 1 + i))
            cJSON_AddNullToObject(doc, ids[i]);
        else
            cJSON_AddStringToObject(doc, ids[i], PQgetvalue(res, 0, c + 1 + i));
    }
    if (on_bus) {
        char when[CLI_TIME_SIZE];
        int64_t us = 0;
        text_parse_int64(&us, PQgetvalue(res, 0, c + 6));
        cJSON_AddNumberToObject(doc, "schema_version", atoi(PQgetvalue(res, 0, c + 5)));
        cJSON_AddStringToObject(doc, "published_at", cli_format_time(when, us));
    }
    if (cli->json) {
        cli_print_json(doc);
        goto done;
    }
    char *compact = payload ? cJSON_PrintUnformatted(payload) : NULL;
    printf("Dead letter %s\n"
           "  subscriber      %s\n"
           "  message type    %s\n"
           "  message id      %s\n"
           "  stream          %s (bus position %s)\n"
           "  attempts        %d\n"
           "  dead at         %s\n"
           "  last error      %s\n",
           member(doc, "id"), member(doc, "subscriber"), member(doc, "message_type"),
           member(doc, "message_id"), member(doc, "stream"), member(doc, "position"),
           member_int(doc, "attempts"), member(doc, "dead_at"), member(doc, "last_error"));
    if (on_bus)
        printf("  from            %s, schema version %d, published %s\n"
               "  correlation id  %s\n"
               "  causation id    %s\n"
               "  traceparent     %s\n"
               "  payload         %s\n",
               member(doc, "source"), member_int(doc, "schema_version"),
               member(doc, "published_at"), member(doc, "correlation_id"),
               member(doc, "causation_id"), member(doc, "traceparent"), compact ? compact : "");
    else
        printf("  payload         (the bus has no message at that position)\n");
    cJSON_free(compact);
    cJSON_Delete(doc);
done:
    PQclear(res);
    PQfinish(conn);
    return status;
}

/* ------------------------------------------------------------------ replay */

int cmd_dlq_replay(struct cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    int status = parse_id(cli, "dlq replay", argc, argv, &id);
    if (status >= 0)
        return status;
    PGconn *conn = NULL;
    PGresult *res = NULL, *sub = NULL, *moved = NULL;
    cJSON *doc = NULL;
    const char *values[1] = {id};
    int rc;

    if ((status = cli_connect(cli, &conn)) != 0)
        goto done;
    if ((rc = pg_exec_command(conn, "BEGIN", "starting the replay")) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    /* The row, locked: a second replay of the same id waits, then finds nothing. */
    if ((status = query(cli, conn, &res,
                        "SELECT " DEAD_LETTER_COLUMNS " FROM messaging.dead_letters d"
                        " WHERE d.id = $1::bigint FOR UPDATE",
                        1, values, "reading a dead letter")) != 0)
        goto done;
    if (PQntuples(res) == 0) {
        status = not_found(cli, id);
        goto done;
    }
    doc = dead_letter_json(res, 0);
    const char *subscriber = member(doc, "subscriber");
    if ((status = query(cli, conn, &sub,
                        "SELECT partitions FROM messaging.subscriptions WHERE subscriber = $1"
                        " LIMIT 1",
                        1, (const char *const[]){subscriber}, "reading the subscription")) != 0)
        goto done;
    if (PQntuples(sub) == 0) {
        status = cli_fail(cli, shop_error_set(SHOP_EREFUSED,
                                              "dead letter %s: subscriber %s has no checkpoint "
                                              "in messaging.subscriptions, so nothing would "
                                              "read it again",
                                              id, subscriber));
        goto done;
    }
    /* hashtext(stream) is the bus's stream_hash: the partition the consumer reads the
     * stream in. */
    const char *move[2] = {id, PQgetvalue(sub, 0, 0)};
    if ((status = query(cli, conn, &moved,
                        "INSERT INTO messaging.retries (subscriber, position, partition, stream,"
                        "       message_id, attempts, next_attempt_at, last_error, owner)"
                        " SELECT subscriber, position,"
                        "        (hashtext(stream) & 2147483647) % $2::int, stream, message_id,"
                        "        0, statement_timestamp(), last_error, owner"
                        "   FROM messaging.dead_letters WHERE id = $1::bigint"
                        " ON CONFLICT (subscriber, position) DO UPDATE"
                        "    SET attempts = 0, next_attempt_at = excluded.next_attempt_at"
                        " RETURNING partition",
                        2, move, "parking the message for another attempt")) != 0)
        goto done;
    PQclear(res);
    if ((status = query(cli, conn, &res, "DELETE FROM messaging.dead_letters WHERE id = $1::bigint",
                        1, values, "deleting the dead letter")) != 0)
        goto done;
    if ((rc = pg_exec_command(conn, "COMMIT", "committing the replay")) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    cJSON_AddNumberToObject(doc, "partition", atoi(PQgetvalue(moved, 0, 0)));
    if (cli->json) {
        cJSON_ReplaceItemInObject(doc, "attempts", cJSON_CreateNumber(0));
        cli_print_json(doc);
        doc = NULL;
    } else {
        printf("Replayed dead letter %s: %s %s is due again for %s (partition %d)\n",
               member(doc, "id"), member(doc, "message_type"), member(doc, "message_id"),
               subscriber, member_int(doc, "partition"));
    }
done:
    cJSON_Delete(doc);
    PQclear(res);
    PQclear(sub);
    PQclear(moved);
    PQfinish(conn); /* an open transaction is rolled back */
    return status;
}

/* ------------------------------------------------------------------ discard */

int cmd_dlq_discard(struct cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    int status = parse_id(cli, "dlq discard", argc, argv, &id);
    if (status >= 0)
        return status;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const char *values[1] = {id};
    if ((status = cli_connect(cli, &conn)) != 0 ||
        (status = query(cli, conn, &res,
                        "DELETE FROM messaging.dead_letters d WHERE d.id = $1::bigint"
                        " RETURNING " DEAD_LETTER_COLUMNS,
                        1, values, "discarding a dead letter")) != 0)
        goto done;
    if (PQntuples(res) == 0) {
        status = not_found(cli, id);
        goto done;
    }
    cJSON *doc = dead_letter_json(res, 0);
    if (cli->json) {
        cli_print_json(doc);
        goto done;
    }
    printf("Discarded dead letter %s: %s %s for %s after %d attempts (last error: %s)\n",
           member(doc, "id"), member(doc, "message_type"), member(doc, "message_id"),
           member(doc, "subscriber"), member_int(doc, "attempts"), member(doc, "last_error"));
    cJSON_Delete(doc);
done:
    PQclear(res);
    PQfinish(conn);
    return status;
}
