/*
 * infrastructure/cli/cmd_order_api.c — placeholder until the command is built (issue 4).
 */
#include "domain/shared/error.h"
#include "infrastructure/cli/cli.h"

int cmd_order_place(struct cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(cli, shop_error_set(SHOP_EUNAVAILABLE, "not built yet"));
}

int cmd_order_show(struct cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(cli, shop_error_set(SHOP_EUNAVAILABLE, "not built yet"));
}

int cmd_order_list(struct cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(cli, shop_error_set(SHOP_EUNAVAILABLE, "not built yet"));
}

int cmd_order_cancel(struct cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(cli, shop_error_set(SHOP_EUNAVAILABLE, "not built yet"));
}

