/*
 * infrastructure/cli/cmd_status.c — placeholder until the command is built (issue 4).
 */
#include "domain/shared/error.h"
#include "infrastructure/cli/cli.h"

int cmd_status(struct cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(cli, shop_error_set(SHOP_EUNAVAILABLE, "not built yet"));
}

