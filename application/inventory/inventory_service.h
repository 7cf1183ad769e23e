/*
 * application/inventory/inventory_service.h — Inventory's command and query handlers
 * (application service).
 *
 * Every command runs the same loop, on ports only:
 *   begin a unit of work -> load (stock items, reservation) -> decide
 *   (domain/inventory/inventory.c) -> evolve and save each row at the version it was
 *   loaded at -> commit; on SHOP_ECONFLICT roll back and start again, at most
 *   max_attempts times.
 * So two reservations racing for the last unit cannot both take it: the second one's save
 * finds a newer version, and its retry decides on the stock the first one left.
 * Each handler is its own unit of work.  Called inside a transaction the caller owns
 * (a consumer of the bus: infrastructure/inventory/inventory_commands.c), the PostgreSQL
 * unit of work nests as a savepoint, so the handler's changes join that transaction and
 * a retry undoes only its own attempt.
 * Read next: inventory_service.c, tests/contract/inventory_store_contract.c,
 * tests/integration/inventory_concurrency_test.c
 */
#ifndef SHOP_APPLICATION_INVENTORY_INVENTORY_SERVICE_H
#define SHOP_APPLICATION_INVENTORY_INVENTORY_SERVICE_H

#include "application/inventory/reservation_repository.h"
#include "application/inventory/stock_repository.h"
#include "application/inventory/unit_of_work.h"
#include "domain/inventory/inventory.h"

#include <stddef.h>

#define INVENTORY_SERVICE_MAX_ATTEMPTS 5

/* The ports, borrowed; the repositories share the unit of work's connection. */
struct inventory_service {
    struct stock_repository *stock;
    struct reservation_repository *reservations;
    struct unit_of_work *uow;
    int max_attempts; /* 0 means INVENTORY_SERVICE_MAX_ATTEMPTS */
};

/* ReceiveStock: quantity 1..999 units more on hand; *out is the SKU's stock after. */
int inventory_service_receive(stock_item *out, struct inventory_service *svc, const sku *s,
                              int64_t units);

/* The SKU's stock; SHOP_ENOTFOUND "no stock recorded for SKU ABC" if none was received. */
int inventory_service_stock(stock_item *out, struct inventory_service *svc, const sku *s);

/* Every SKU's stock, by SKU; *out is the caller's to free(). */
int inventory_service_list(stock_item **out, size_t *out_count, struct inventory_service *svc);

/*
 * ReserveStock: all lines or none.  *out is the order's reservation: the new one, or the
 * one it already had (the same answer again).  Out of stock is SHOP_EREFUSED with the
 * reason "out of stock: SKU ABC"; SHOP_EINVALID for lines that break a rule.
 */
int inventory_service_reserve(reservation *out, struct inventory_service *svc,
                              const reserve_stock *cmd);

/* ReleaseReservation / CommitReservation; *out is the reservation after. */
int inventory_service_release(reservation *out, struct inventory_service *svc, shop_uuid order_id);
int inventory_service_commit(reservation *out, struct inventory_service *svc, shop_uuid order_id);

/* The order's reservation; SHOP_ENOTFOUND "no reservation for order ..." if none. */
int inventory_service_reservation(reservation *out, struct inventory_service *svc,
                                  shop_uuid order_id);

#endif
