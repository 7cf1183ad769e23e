/*
 * infrastructure/memory/id_generator_sequence.c — see id_generator_sequence.h.
 */
#include "infrastructure/memory/id_generator_sequence.h"

#include "domain/shared/memory.h"

#include <stdlib.h>

struct id_generator_sequence {
    struct id_generator base; /* first: the port */
    uint64_t issued;          /* how many ids so far */
};

shop_uuid id_generator_sequence_nth(uint64_t n)
{
    shop_uuid id = {{0}};
    id.bytes[6] = 0x70; /* version 7 */
    id.bytes[8] = 0x80; /* variant 10 */
    for (int i = 15; i >= 10; i--, n >>= 8)
        id.bytes[i] = (uint8_t)(n & 0xff);
    return id;
}

static int sequence_next(struct id_generator *self, shop_uuid *out)
{
    struct id_generator_sequence *g = (struct id_generator_sequence *)self;
    *out = id_generator_sequence_nth(++g->issued);
    return 0;
}

static void sequence_free(struct id_generator *self)
{
    free(self);
}

int id_generator_sequence_new(struct id_generator **out)
{
    struct id_generator_sequence *g = shop_xcalloc(1, sizeof *g);
    g->base.version = ID_GENERATOR_VERSION;
    g->base.next = sequence_next;
    g->base.free = sequence_free;
    *out = &g->base;
    return 0;
}
