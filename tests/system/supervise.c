/*
 * tests/system/supervise.c — the supervisor of `shop up` on any programs, with short
 * delays, for tests/system/supervisor_test.sh:
 *     supervise NAME=SHELL-COMMAND ...
 * runs each command with /bin/sh -c under supervisor.c (restart backoff 0.2 s doubling
 * to 0.8 s, reset after 2 s up; SIGKILL 1 s after SIGTERM) until a stop signal, and
 * exits 0.  The shell test then checks what a user of `shop up` relies on without
 * needing any service to be built.
 * Read next: infrastructure/service/supervisor.h.
 */
#include "infrastructure/service/supervisor.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct supervisor_options options = {.backoff_initial_s = 0.2,
                                         .backoff_max_s = 0.8,
                                         .stable_after_s = 2,
                                         .stop_grace_s = 1,
                                         .own_name = "supervise"};
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    struct supervisor *sup = supervisor_new(&options);
    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof name) {
            fprintf(stderr, "usage: supervise NAME=SHELL-COMMAND ...\n");
            supervisor_free(sup);
            return 2;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - argv[i]), argv[i]);
        const char *child[] = {"sh", "-c", eq + 1, NULL};
        supervisor_add(sup, name, "/bin/sh", child);
    }
    int rc = supervisor_run(sup);
    supervisor_say(sup, "supervise", "stopped");
    supervisor_free(sup);
    return rc < 0 ? 1 : 0;
}
