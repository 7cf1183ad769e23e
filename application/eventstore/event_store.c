/*
 * application/eventstore/event_store.c — what every event-store adapter checks the same way.
 *
 * The port's promises about arguments live here once, so the PostgreSQL and in-memory
 * adapters refuse exactly the same input with exactly the same message.
 * Read next: infrastructure/postgres/event_store_pg.c
 */
#include "application/eventstore/event_store.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdlib.h>
#include <string.h>

void es_event_list_dispose(struct es_event_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].data);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

void es_snapshot_dispose(struct es_snapshot *s)
{
    if (!s)
        return;
    free(s->data);
    s->data = NULL;
    s->stream_version = 0;
    s->schema_version = 0;
}

/* Whether JSON text holds the escape \u0000 (a backslash that is not itself escaped). */
static bool has_escaped_nul(const char *json)
{
    for (const char *p = strstr(json, "\\u0000"); p; p = strstr(p + 1, "\\u0000")) {
        size_t backslashes = 0;
        while (p - backslashes > json && p[-(ptrdiff_t)backslashes - 1] == '\\')
            backslashes++;
        if (backslashes % 2 == 0)
            return true;
    }
    return false;
}

static bool is_name(const char *s, size_t max, bool spaces_allowed)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max || !text_is_printable_ascii(s))
        return false;
    return spaces_allowed || strchr(s, ' ') == NULL;
}

int es_check_stream_id(const char *stream_id)
{
    if (!is_name(stream_id, ES_STREAM_ID_MAX, false)) {
        char q[TEXT_QUOTE_SIZE];
        return shop_error_set(SHOP_EINVALID,
                              "stream id %s must be 1-%d printable ASCII characters without spaces",
                              text_quote(q, stream_id ? stream_id : ""), ES_STREAM_ID_MAX);
    }
    return SHOP_OK;
}

int es_check_append(const char *stream_id, int64_t expected_version,
                    const struct es_new_event *events, size_t n, const struct es_snapshot *snapshot)
{
    int rc = es_check_stream_id(stream_id);
    if (rc < 0)
        return rc;
    if (expected_version < ES_EXPECT_ANY)
        return shop_error_set(SHOP_EINVALID, "expected version %lld is not a version",
                              (long long)expected_version);
    if (n == 0 || !events)
        return shop_error_set(SHOP_EINVALID, "an append needs at least one event");
    if (expected_version > INT64_MAX - (int64_t)n)
        return shop_error_set(SHOP_EINVALID, "expected version %lld is too large",
                              (long long)expected_version);
    for (size_t i = 0; i < n; i++) {
        char q[TEXT_QUOTE_SIZE];
        if (!is_name(events[i].type, ES_TYPE_MAX, false))
            return shop_error_set(SHOP_EINVALID,
                                  "event %zu: type %s must be 1-%d printable ASCII characters "
                                  "without spaces",
                                  i + 1, text_quote(q, events[i].type ? events[i].type : ""),
                                  ES_TYPE_MAX);
        if (events[i].schema_version < 1)
            return shop_error_set(SHOP_EINVALID, "event %zu: schema version %d is below 1", i + 1,
                                  events[i].schema_version);
        if (!events[i].data || events[i].data[0] != '{')
            return shop_error_set(SHOP_EINVALID, "event %zu: data must be a JSON object", i + 1);
        /* PostgreSQL's jsonb cannot hold the NUL character; no store takes it */
        if (has_escaped_nul(events[i].data))
            return shop_error_set(SHOP_EINVALID,
                                  "event %zu: data must not contain the NUL character (\\u0000)",
                                  i + 1);
        if (!message_meta_traceparent_valid(events[i].meta.traceparent))
            return shop_error_set(SHOP_EINVALID,
                                  "event %zu: traceparent %s is not W3C trace context", i + 1,
                                  text_quote(q, events[i].meta.traceparent));
    }
    if (snapshot) {
        if (expected_version == ES_EXPECT_ANY)
            return shop_error_set(SHOP_EINVALID,
                                  "a snapshot needs an exact expected version, not 'any'");
        if (snapshot->stream_version != expected_version + (int64_t)n)
            return shop_error_set(
                SHOP_EINVALID, "snapshot at version %lld, but the append ends at version %lld",
                (long long)snapshot->stream_version, (long long)(expected_version + (int64_t)n));
        if (snapshot->schema_version < 1)
            return shop_error_set(SHOP_EINVALID, "snapshot schema version %d is below 1",
                                  snapshot->schema_version);
        if (!snapshot->data || snapshot->data[0] != '{')
            return shop_error_set(SHOP_EINVALID, "snapshot data must be a JSON object");
    }
    return SHOP_OK;
}

int es_check_read_stream(struct es_event_list *out, const char *stream_id,
                         struct es_stream_range range)
{
    *out = (struct es_event_list){NULL, 0};
    int rc = es_check_stream_id(stream_id);
    if (rc < 0)
        return rc;
    if (range.from_version < 1)
        return shop_error_set(SHOP_EINVALID, "a stream is read from version 1 or later, not %lld",
                              (long long)range.from_version);
    return SHOP_OK;
}

int es_check_load(struct es_snapshot *out_snapshot, struct es_event_list *out_events,
                  const char *stream_id, int snapshot_schema_version)
{
    *out_snapshot = (struct es_snapshot){0, 0, NULL};
    *out_events = (struct es_event_list){NULL, 0};
    int rc = es_check_stream_id(stream_id);
    if (rc < 0)
        return rc;
    if (snapshot_schema_version < 1)
        return shop_error_set(SHOP_EINVALID, "snapshot schema version %d is below 1",
                              snapshot_schema_version);
    return SHOP_OK;
}

int es_check_read_all(struct es_event_list *out, size_t max_count)
{
    *out = (struct es_event_list){NULL, 0};
    if (max_count == 0)
        return shop_error_set(SHOP_EINVALID,
                              "a read of the global log asks for at least one event");
    return SHOP_OK;
}

int es_conflict(const char *stream_id, int64_t expected_version, int stream_is_behind)
{
    if (expected_version == ES_EXPECT_NO_STREAM)
        return shop_error_set(SHOP_ECONFLICT,
                              "stream %s already exists (expected a new stream; another writer "
                              "got there first)",
                              stream_id);
    if (stream_is_behind)
        return shop_error_set(SHOP_ECONFLICT,
                              "stream %s is not at version %lld (it has fewer events)", stream_id,
                              (long long)expected_version);
    return shop_error_set(SHOP_ECONFLICT,
                          "stream %s is not at version %lld (another writer got there first)",
                          stream_id, (long long)expected_version);
}

int es_fold_stream(int64_t *out_version, struct event_store *s, const char *stream_id,
                   es_apply_fn *apply, void *state)
{
    struct es_event_list events = {0};
    int64_t version = 0;

    *out_version = 0;
    int rc = es_read_stream(s, &events, stream_id, ES_WHOLE_STREAM);
    for (size_t i = 0; rc == 0 && i < events.count; i++) {
        const struct es_event *e = &events.items[i];
        if (e->stream_version != version + 1)
            rc = shop_error_set(SHOP_EINTERNAL, "%s: read version %lld after version %lld",
                                stream_id, (long long)e->stream_version, (long long)version);
        else if (apply(state, e) < 0)
            rc = shop_error_set(SHOP_EINTERNAL, "%s version %lld: %s", stream_id,
                                (long long)e->stream_version, shop_error_message());
        else
            version = e->stream_version;
    }
    es_event_list_dispose(&events);
    if (rc == 0)
        *out_version = version;
    return rc;
}
