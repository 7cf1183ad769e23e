/*
 * infrastructure/cli/cli_events.h — how the command line shows recorded events: times in
 * ISO 8601, one line per event for people, one JSON object per event for scripts.
 * Shared by `shop order history` and `shop events tail`.
 * Read next: infrastructure/cli/cmd_events.c
 */
#ifndef SHOP_INFRASTRUCTURE_CLI_CLI_EVENTS_H
#define SHOP_INFRASTRUCTURE_CLI_CLI_EVENTS_H

#include "application/eventstore/event_store.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* "2026-11-24T10:15:30.123456Z" */
#define CLI_TIME_SIZE 40 /* TIME_TEXT_SIZE */
const char *cli_format_time(char out[CLI_TIME_SIZE], int64_t us);

/*
 * A time a user typed, UTC: "2026-11-24T10:15:30Z", "2026-11-24T10:15:30.5Z",
 * "2026-11-24 10:15:30", "2026-11-24" (midnight).  SHOP_EINVALID otherwise.
 */
int cli_parse_time(int64_t *out, const char *text);

/* {global_position, stream_id, stream_version, type, schema_version, recorded_at,
 *  transaction_id, metadata: {message_id, correlation_id, causation_id, traceparent}};
 * data is added by the caller. */
cJSON *cli_event_json(const struct es_event *e);

#endif
