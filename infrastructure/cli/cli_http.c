/*
 * infrastructure/cli/cli_http.c — the domain commands' way to the services: the
 * command line is one more client of each context's HTTP API (docs/cli.md), so what
 * `shop catalog add` refuses is exactly what the Catalog service refuses.
 * Read next: infrastructure/http/http_client.h, cmd_catalog.c.
 */
#include "infrastructure/cli/cli.h"

#include "domain/shared/error.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/service/service.h"

#include <stdlib.h>

int cli_call(const struct cli *cli, cJSON **out, const char *service, const char *method,
             const char *path, const cJSON *body)
{
    char url[SERVICE_URL_MAX];
    if (out)
        *out = NULL;
    int rc = service_url(url, service, cli->api);
    if (rc < 0)
        return cli_fail(cli, rc);
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    struct http_request req = {
        .service = service, .base_url = url, .method = method, .path = path, .body = text};
    if (cli->verbose)
        fprintf(stderr, "shop: %s %s%s\n", method, url, path);
    rc = http_call(out, &req);
    free(text);
    if (rc == SHOP_EUNAVAILABLE && shop_error_code() == SHOP_EUNAVAILABLE) {
        shop_error_set(SHOP_EUNAVAILABLE, "%s; is the system running (shop up)?",
                       shop_error_message());
    }
    if (rc < 0)
        return cli_fail(cli, rc);
    return 0;
}
