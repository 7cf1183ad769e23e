/*
 * infrastructure/ordering/price_list_http.c — see price_list_http.h.
 *
 * One synchronous request per price, with a deadline (http_client.c runs a private loop,
 * so this works inside the Ordering service's own request handler).  The reply is
 * translated into the port's words here and nowhere else: a 404 from Catalog becomes
 * "unknown SKU", which the Ordering API answers as a refused order (422), not as a
 * missing resource.
 * Read next: infrastructure/ordering/order_api.c (who uses it)
 */
#include "infrastructure/ordering/price_list_http.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/http/http_client.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct price_list_http {
    struct price_list base; /* first */
    char *base_url;
    int timeout_ms;
};

/* The price in a 200 reply's body, {"sku", "name", "price": "12.50 EUR"}. */
static int read_price(money *out, const struct http_reply *reply, const sku *product)
{
    cJSON *doc = reply->body && strlen(reply->body) == reply->body_len
                     ? cJSON_ParseWithOpts(reply->body, NULL, 1)
                     : NULL;
    const cJSON *sku_field = cJSON_GetObjectItemCaseSensitive(doc, "sku");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(doc, "price");
    int rc;
    if (!cJSON_IsString(price)) {
        rc = shop_error_set(SHOP_EINTERNAL, "catalog answered SKU %s without a price",
                            product->code);
    } else if (cJSON_IsString(sku_field) && strcmp(sku_field->valuestring, product->code) != 0) {
        rc = shop_error_set(SHOP_EINTERNAL, "catalog answered SKU %s for SKU %s",
                            sku_field->valuestring, product->code);
    } else if ((rc = money_parse(out, price->valuestring, NULL)) < 0) {
        char why[SHOP_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", shop_error_message());
        rc = shop_error_set(SHOP_EINTERNAL, "catalog's price of SKU %s cannot be read: %s",
                            product->code, why);
    }
    cJSON_Delete(doc);
    return rc;
}

static int price_of(struct price_list *self, money *out, const sku *product)
{
    struct price_list_http *p = (struct price_list_http *)self;
    char *escaped = http_escape(product->code);
    char path[16 + 3 * SKU_MAX_LENGTH];
    snprintf(path, sizeof path, "/products/%s", escaped);
    free(escaped);

    struct http_reply reply = {0};
    struct http_request req = {.service = "catalog",
                               .base_url = p->base_url,
                               .method = "GET",
                               .path = path,
                               .timeout_ms = p->timeout_ms};
    int rc = http_send(&reply, &req); /* SHOP_EUNAVAILABLE names catalog and what happened */
    if (rc < 0)
        return rc;
    if (reply.status == 200)
        rc = read_price(out, &reply, product);
    else if (reply.status == 404)
        rc = shop_error_set(SHOP_ENOTFOUND, "unknown SKU %s", product->code);
    else if (reply.status >= 500)
        rc = shop_error_set(SHOP_EUNAVAILABLE, "catalog at %s answered %d to GET %s", p->base_url,
                            reply.status, path);
    else
        rc = shop_error_set(SHOP_EINTERNAL, "catalog at %s answered %d to GET %s", p->base_url,
                            reply.status, path);
    http_reply_dispose(&reply);
    return rc;
}

static void price_list_http_free(struct price_list *self)
{
    struct price_list_http *p = (struct price_list_http *)self;
    free(p->base_url);
    free(p);
}

int price_list_http_new(struct price_list **out, const char *base_url, int timeout_ms)
{
    struct price_list_http *p = shop_xcalloc(1, sizeof *p);
    p->base.version = PRICE_LIST_VERSION;
    p->base.price_of = price_of;
    p->base.free = price_list_http_free;
    p->base_url = shop_xstrdup(base_url);
    p->timeout_ms = timeout_ms > 0 ? timeout_ms : PRICE_LIST_HTTP_TIMEOUT_MS;
    *out = &p->base;
    return 0;
}
