/*
 * tests/support/test_service.h — a real service, in the test's own process: its
 * database connection (as its context's role, on a test database), its HTTP server on a
 * port the kernel chooses, its loop in a background thread.  Requests go over real
 * TCP through the same client the command line uses.
 */
#ifndef SHOP_TESTS_SUPPORT_TEST_SERVICE_H
#define SHOP_TESTS_SUPPORT_TEST_SERVICE_H

#include "infrastructure/service/serve.h"

#include <cjson/cJSON.h>

struct test_service {
    struct served *served;
    char url[64]; /* "http://127.0.0.1:PORT" */
};

/*
 * Starts service `name` against database db_name (NULL for services without one),
 * with faults (NULL for none).  Fails the test if it cannot start.
 */
void test_service_start(struct test_service *t, const char *name, const char *db_name,
                        const struct service_faults *faults);
void test_service_stop(struct test_service *t);

struct test_reply {
    int status;
    char *body;         /* raw body, NUL-terminated */
    char *content_type;
    cJSON *json;        /* parsed body, NULL if not JSON */
};

/* One request; fails the test if no reply comes.  body may be NULL. */
void test_http(struct test_reply *out, const char *url, const char *method, const char *path,
               const char *body);
void test_reply_dispose(struct test_reply *r);

/*
 * Sends `text` as it is over a new TCP connection to url (for what the client would not
 * send: a body announced but never sent, chunked bodies, oversize headers) and keeps what
 * comes back until the server closes the connection or wait_s seconds pass, as a
 * NUL-terminated string in reply.  Returns the seconds that took.
 */
double test_http_raw(const char *url, const char *text, char *reply, size_t size, int wait_s);

/* A counter of the service at url's GET /metrics: the first line "name{labels} N" or
 * "name N" whose labels contain labels_part (NULL: any).  Fails the test if there is none. */
long test_service_counter(const char *url, const char *name, const char *labels_part);

/* The string member `field` of the reply's JSON ("" if absent). */
const char *test_reply_string(const struct test_reply *r, const char *field);

#endif
