/*
 * infrastructure/system/id_generator_uuid.h — the id-generator port on UUID version 7.
 *
 * Pattern: an adapter of a port (application/shared/id_generator.h).  Ids are the kernel's
 * monotonic v7 UUIDs (domain/shared/uuid.h: uuid_new_v7), time-ordered, so new orders'
 * streams sort by creation in indexes and listings.  Tests use
 * infrastructure/memory/id_generator_sequence.h, whose ids they can predict.
 * Read next: infrastructure/system/id_generator_uuid.c
 */
#ifndef SHOP_INFRASTRUCTURE_SYSTEM_ID_GENERATOR_UUID_H
#define SHOP_INFRASTRUCTURE_SYSTEM_ID_GENERATOR_UUID_H

#include "application/shared/id_generator.h"

/* Free it with id_generator_free. */
int id_generator_uuid_new(struct id_generator **out);

#endif
