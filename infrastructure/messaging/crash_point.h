/*
 * infrastructure/messaging/crash_point.h — named places where a process can be made to
 * die, so that tests can kill it exactly between two steps (a crash between commit and
 * publish, between publish and checkpoint...).
 *
 * crash_point("relay.after-publish") does nothing unless the environment variable
 * SHOP_CRASH_POINT names that point; then the process sends itself SIGKILL there — no
 * cleanup, no atexit, no flush, as a power cut or the OOM killer would.
 * SHOP_CRASH_POINT=NAME:N dies the Nth time the point is reached (default the first).
 * The points are listed where they are placed (grep crash_point) and in docs/testing.md.
 * Read next: tests/integration/messaging_process_test.sh
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_CRASH_POINT_H
#define SHOP_INFRASTRUCTURE_MESSAGING_CRASH_POINT_H

void crash_point(const char *name);

#endif
