/*
 * infrastructure/postgres/event_log_pg.h — where to start reading the global event log.
 *
 * The event store's reader (es_read_all) resumes from a checkpoint, the (transaction id,
 * global position) of the last event handled.  People think in positions instead:
 * `shop events tail --from 120`, or "the last 10".  These two queries turn such a request
 * into a checkpoint; the reading itself is es_read_all's, gap-free.
 * Read next: infrastructure/cli/cmd_events.c
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_EVENT_LOG_PG_H
#define SHOP_INFRASTRUCTURE_POSTGRES_EVENT_LOG_PG_H

#include "application/eventstore/event_store.h"

#include <libpq-fe.h>
#include <stddef.h>

/*
 * The checkpoint just before the first committed event whose global position is at least
 * `position`, in log order, so that es_read_all from it returns that event first.  When no
 * such event exists yet, the checkpoint after the whole log.
 */
int event_log_pg_checkpoint_at(struct es_checkpoint *out, PGconn *conn, const char *context,
                               int64_t position);

/* The checkpoint before the last `count` committed events of the log ({0,0} if fewer). */
int event_log_pg_checkpoint_last(struct es_checkpoint *out, PGconn *conn, const char *context,
                                 size_t count);

#endif
