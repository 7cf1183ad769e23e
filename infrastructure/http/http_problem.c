/*
 * infrastructure/http/http_problem.c — the one mapping between SHOP_E* codes and HTTP
 * statuses (see http_problem.h for the table).
 */
#include "infrastructure/http/http_problem.h"

#include "domain/shared/error.h"

int http_problem_status(int error_code)
{
    switch (error_code) {
    case SHOP_OK: return 200;
    case SHOP_EINVALID:
    case SHOP_EOVERFLOW: return 400;
    case SHOP_ENOTFOUND: return 404;
    case SHOP_ECONFLICT: return 409;
    case SHOP_EREFUSED: return 422;
    case SHOP_EUNAVAILABLE:
    case SHOP_EIO: return 503;
    case SHOP_EINTERNAL:
    default: return 500;
    }
}

const char *http_problem_rule(int error_code)
{
    switch (error_code) {
    case SHOP_EINVALID:
    case SHOP_EOVERFLOW: return "invalid-input";
    case SHOP_ENOTFOUND: return "not-found";
    case SHOP_ECONFLICT: return "conflict";
    case SHOP_EREFUSED: return "refused";
    case SHOP_EUNAVAILABLE:
    case SHOP_EIO: return "unavailable";
    default: return "internal";
    }
}

const char *http_status_title(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 402: return "Payment Required";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    }
    if (status >= 200 && status < 300)
        return "Success";
    if (status >= 400 && status < 500)
        return "Client Error";
    return "Server Error";
}

int http_problem_code(int status)
{
    if (status >= 200 && status < 300)
        return SHOP_OK;
    switch (status) {
    case 400:
    case 405:
    case 413:
    case 414:
    case 431: return SHOP_EINVALID;
    case 404: return SHOP_ENOTFOUND;
    case 409: return SHOP_ECONFLICT;
    case 402:
    case 422: return SHOP_EREFUSED;
    case 408:
    case 429:
    case 502:
    case 503:
    case 504: return SHOP_EUNAVAILABLE;
    }
    return status >= 500 ? SHOP_EINTERNAL : SHOP_EINVALID;
}
