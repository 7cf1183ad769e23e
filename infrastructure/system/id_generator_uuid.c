/*
 * infrastructure/system/id_generator_uuid.c — new ids from the kernel's UUID v7 sequence.
 * Read next: infrastructure/memory/id_generator_sequence.c
 */
#include "infrastructure/system/id_generator_uuid.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>

static int v7_next(struct id_generator *self, shop_uuid *out)
{
    (void)self;
    if (uuid_new_v7(out) < 0) /* the random source or the clock failed */
        return shop_error_set(SHOP_EUNAVAILABLE, "cannot make a new id: %s", shop_error_message());
    return 0;
}

static void v7_free(struct id_generator *self)
{
    free(self);
}

int id_generator_uuid_new(struct id_generator **out)
{
    struct id_generator *g = shop_xcalloc(1, sizeof *g);
    g->version = ID_GENERATOR_VERSION;
    g->next = v7_next;
    g->free = v7_free;
    *out = g;
    return 0;
}
