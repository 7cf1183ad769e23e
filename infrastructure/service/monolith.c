/*
 * infrastructure/service/monolith.c — see monolith.h.
 */
#include "infrastructure/service/monolith.h"

#include "domain/shared/memory.h"

#include <stdlib.h>

struct monolith {
    struct served **served;
    size_t count; /* opened and started */
};

int monolith_start(struct monolith **out, const struct service_def *const *defs, size_t count,
                   const struct serve_options *options, monolith_started_fn *on_started, void *ctx)
{
    struct monolith *m = shop_xcalloc(1, sizeof *m);
    m->served = shop_xcalloc(count ? count : 1, sizeof *m->served);
    int rc = 0;
    *out = NULL;
    serve_use_threads(); /* before the first loop: serve_stop crosses threads */
    for (size_t i = 0; i < count; i++) {
        struct served *s;
        if ((rc = serve_open(&s, defs[i], options)) < 0)
            goto fail;
        if ((rc = serve_start_thread(s)) < 0) {
            serve_close(s);
            goto fail;
        }
        m->served[m->count++] = s;
        if (on_started)
            on_started(ctx, s);
    }
    *out = m;
    return 0;
fail:
    monolith_stop(m);
    monolith_free(m);
    return rc;
}

void monolith_stop(struct monolith *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        serve_stop(m->served[i]);
}

void monolith_free(struct monolith *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        serve_close(m->served[i]);
    free(m->served);
    free(m);
}
