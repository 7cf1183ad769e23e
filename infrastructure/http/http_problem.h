/*
 * infrastructure/http/http_problem.h — errors across HTTP, both ways, in one place.
 *
 * A service answers a refused command with application/problem+json (RFC 9457):
 *     HTTP/1.1 422 Unprocessable Content
 *     {"type": "/problems/refused", "title": "refused by a business rule",
 *      "status": 422, "detail": "price: must be above 0, got 0.00 EUR"}
 * and a client of the service turns it back into the same SHOP_E* code with the same
 * one-line message, so `shop catalog add` prints the rule the service applied and exits
 * with the status docs/cli.md gives for it.
 *
 *   SHOP_EINVALID, SHOP_EOVERFLOW  400 invalid-input        (CLI exit 2)
 *   SHOP_ENOTFOUND                 404 not-found            (CLI exit 1)
 *   SHOP_ECONFLICT                 409 conflict             (CLI exit 1)
 *   SHOP_EREFUSED                  422 refused              (CLI exit 1)
 *   SHOP_EUNAVAILABLE, SHOP_EIO    503 unavailable          (CLI exit 3)
 *   SHOP_EINTERNAL                 500 internal             (CLI exit 3)
 * and the transport's own: 405 method-not-allowed, 413 payload-too-large, 400
 * malformed-json (all SHOP_EINVALID on the client side).
 * Read next: http_server.h, http_client.h.
 */
#ifndef SHOP_INFRASTRUCTURE_HTTP_HTTP_PROBLEM_H
#define SHOP_INFRASTRUCTURE_HTTP_HTTP_PROBLEM_H

/* The HTTP status and rule slug for a SHOP_E* code. */
int http_problem_status(int error_code);
const char *http_problem_rule(int error_code);
const char *http_status_title(int status);

/* The SHOP_E* code a client reports for an HTTP status of a reply (0 for 2xx). */
int http_problem_code(int status);

#endif
