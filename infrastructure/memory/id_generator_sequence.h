/*
 * infrastructure/memory/id_generator_sequence.h — ids a test can predict.
 *
 * Pattern: an adapter of the id-generator port (application/shared/id_generator.h) for
 * tests.  The n-th id it returns is id_generator_sequence_nth(n):
 *   00000000-0000-7000-8000-000000000001, ...-000000000002, ...
 * (version 7 and the RFC 9562 variant, so they pass for real ids).
 * Read next: infrastructure/memory/price_list_memory.h
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_ID_GENERATOR_SEQUENCE_H
#define SHOP_INFRASTRUCTURE_MEMORY_ID_GENERATOR_SEQUENCE_H

#include "application/shared/id_generator.h"

#include <stdint.h>

/* Starts at id 1.  Free it with id_generator_free. */
int id_generator_sequence_new(struct id_generator **out);

/* The n-th id of every sequence (n >= 1); the last 48 bits hold n. */
shop_uuid id_generator_sequence_nth(uint64_t n);

#endif
