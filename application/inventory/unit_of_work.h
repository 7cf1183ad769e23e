/*
 * application/inventory/unit_of_work.h — the port that makes several saves one change:
 * a reservation saves a stock item per SKU and the reservation itself, and either all
 * of them are kept or none (PostgreSQL: BEGIN ... COMMIT / ROLLBACK on the connection the
 * repositories share; in memory: a copy kept to roll back to).
 *
 * A save that fails inside a unit of work (SHOP_ECONFLICT above all) leaves it to be
 * rolled back; the handler then starts again with a new one.
 * Read next: inventory_service.h
 */
#ifndef SHOP_APPLICATION_INVENTORY_UNIT_OF_WORK_H
#define SHOP_APPLICATION_INVENTORY_UNIT_OF_WORK_H

#define UNIT_OF_WORK_VERSION 1

struct unit_of_work {
    unsigned version; /* UNIT_OF_WORK_VERSION */
    int (*begin)(struct unit_of_work *self);
    int (*commit)(struct unit_of_work *self);
    /* Undoes every save since begin; harmless when nothing was begun. */
    void (*rollback)(struct unit_of_work *self);
    void (*free)(struct unit_of_work *self);
};

static inline int unit_of_work_begin(struct unit_of_work *u)
{
    return u->begin(u);
}

static inline int unit_of_work_commit(struct unit_of_work *u)
{
    return u->commit(u);
}

static inline void unit_of_work_rollback(struct unit_of_work *u)
{
    u->rollback(u);
}

static inline void unit_of_work_free(struct unit_of_work *u)
{
    if (u)
        u->free(u);
}

#endif
