/*
 * tests/support/fake_catalog.h — a stand-in for the Catalog service, and for Catalog
 * being down, for the tests of Ordering's price list and API.
 *
 * Pattern: a fake of a published API (consumer-side contract test).  It speaks exactly the
 * contract Ordering relies on — GET /products/{sku} → 200 {"sku","name","price":"12.50 EUR"}
 * or 404 — on a real http_server, on its own event_base, in its own thread, on a port the
 * kernel chooses.  Its two siblings are what "Catalog down" means on a network: a port
 * where nothing listens (refused at once) and a socket that accepts connections but never
 * answers (only a deadline ends the wait).
 */
#ifndef SHOP_TESTS_SUPPORT_FAKE_CATALOG_H
#define SHOP_TESTS_SUPPORT_FAKE_CATALOG_H

#define FAKE_URL_SIZE 64

struct fake_catalog;

/* Starts a fake Catalog that knows no product yet.  Fails the test if it cannot. */
struct fake_catalog *fake_catalog_start(void);
void fake_catalog_stop(struct fake_catalog *c);
/* "http://127.0.0.1:PORT" */
const char *fake_catalog_url(const struct fake_catalog *c);

/* Sells sku at price ("12.50 EUR"); sku "*" prices every SKU not set otherwise. */
void fake_catalog_set(struct fake_catalog *c, const char *sku, const char *price);
/* Answers every request with this status (e.g. 503) and a problem body; 0 to stop. */
void fake_catalog_fail_with(struct fake_catalog *c, int status);
/* How many GET /products/{sku} it has answered. */
unsigned fake_catalog_requests(struct fake_catalog *c);

/* The URL of a port on 127.0.0.1 where nothing listens (it was just closed). */
void fake_closed_url(char out[FAKE_URL_SIZE]);

/*
 * A socket that listens on 127.0.0.1 and never accepts or answers: connections succeed
 * (the kernel completes them) and then nothing comes.  Returns the socket; close it.
 */
int fake_silent_listener(char out[FAKE_URL_SIZE]);

#endif
