/*
 * infrastructure/service/supervisor.c — see supervisor.h.
 *
 * Two kinds of objects live on the loop: a child (one supervised program, with its
 * restart timer and backoff) and an output (the read end of the pipe of ONE run of a
 * child).  They are separate because a pipe can still hold the last lines of a run
 * after its process has been reaped and the next run has started.
 * Read next: cmd_up.c.
 */
#include "infrastructure/service/supervisor.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LONGEST_LINE 16384 /* a child's line longer than this is printed in pieces */

struct child {
    struct supervisor *sup;
    char *name;
    char *path;
    char **argv;
    pid_t pid; /* 0 while not running */
    double started_at;
    double next_delay_s;
    struct event *restart; /* timer */
};

struct output {
    struct supervisor *sup;
    const char *name; /* the child's, which outlives its outputs */
    struct bufferevent *bev;
    struct output *next;
};

struct supervisor {
    struct supervisor_options options;
    struct event_base *base;
    struct child **children;
    size_t count;
    struct output *outputs; /* open pipes */
    int width;              /* of the name column */
    struct event *signals[4];
    struct event *kill_timer;
    bool stopping;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timeval seconds(double s)
{
    struct timeval tv = {.tv_sec = (time_t)s};
    tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
    return tv;
}

/* ------------------------------------------------------------------ output */

static void print_line(struct supervisor *sup, const char *name, const char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == '\n'))
        len--;
    fprintf(sup->options.out, "%-*s | %.*s\n", sup->width, name, (int)len, text);
    fflush(sup->options.out);
}

void supervisor_say(struct supervisor *sup, const char *name, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    print_line(sup, name, text, strlen(text));
}

static void check_done(struct supervisor *sup);

static void output_close(struct output *o)
{
    struct supervisor *sup = o->sup;
    for (struct output **p = &sup->outputs; *p; p = &(*p)->next)
        if (*p == o) {
            *p = o->next;
            break;
        }
    bufferevent_free(o->bev);
    free(o);
    check_done(sup);
}

/* Prints every whole line read so far; at the end of the pipe, what is left too. */
static void output_drain(struct output *o, bool at_end)
{
    struct evbuffer *in = bufferevent_get_input(o->bev);
    char *line;
    size_t len;
    while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
        print_line(o->sup, o->name, line, len);
        free(line);
    }
    size_t left = evbuffer_get_length(in);
    if (left > 0 && (at_end || left >= LONGEST_LINE)) {
        char *rest = (char *)evbuffer_pullup(in, -1);
        print_line(o->sup, o->name, rest, left);
        evbuffer_drain(in, left);
    }
}

static void on_output(struct bufferevent *bev, void *arg)
{
    (void)bev;
    output_drain(arg, false);
}

static void on_output_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        output_drain(arg, true);
        output_close(arg);
    }
}

/* ------------------------------------------------------------------ children */

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child_exec(const struct child *c, int pipe_write, pid_t supervisor)
{
    /* Signals arrive blocked (child_start): first drop the supervisor's handlers, then
     * let them in, so a SIGTERM sent before exec ends this child instead of being
     * passed to the supervisor's loop through the handler's copy. */
    static const int handled[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE};
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaction(handled[i], &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);                    /* Ctrl-C goes to the supervisor, not to us */
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* the supervisor dies: so do we */
    if (getppid() != supervisor)      /* ... even if it died before prctl */
        _exit(127);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(pipe_write, 1) < 0 || dup2(pipe_write, 2) < 0)
        _exit(127);
    close_range(3, ~0U, 0); /* the parent's sockets, database connections, pipes */
    execv(c->path, c->argv);
    static const char msg[] = "cannot execute the service's program\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
}

static void schedule_restart(struct child *c, const char *why);

static void child_start(struct child *c)
{
    struct supervisor *sup = c->sup;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        schedule_restart(c, strerror(errno));
        return;
    }
    pid_t supervisor = getpid();
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old); /* until the child has its own handlers */
    pid_t pid = fork();
    if (pid == 0)
        child_exec(c, fds[1], supervisor);
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        schedule_restart(c, strerror(fork_errno));
        return;
    }
    setpgid(pid, pid); /* also here, so a stop signal sent at once finds the group */
    c->pid = pid;
    c->started_at = now_s();

    struct output *o = shop_xcalloc(1, sizeof *o);
    o->sup = sup;
    o->name = c->name;
    evutil_make_socket_nonblocking(fds[0]);
    o->bev = bufferevent_socket_new(sup->base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    if (!o->bev)
        shop_out_of_memory();
    bufferevent_setcb(o->bev, on_output, NULL, on_output_event, o);
    bufferevent_enable(o->bev, EV_READ);
    o->next = sup->outputs;
    sup->outputs = o;
    supervisor_say(sup, sup->options.own_name, "started %s (pid %ld)", c->name, (long)pid);
}

static void on_restart(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct child *c = arg;
    if (!c->sup->stopping)
        child_start(c);
}

static void schedule_restart(struct child *c, const char *why)
{
    struct supervisor *sup = c->sup;
    double delay = c->next_delay_s;
    double next = delay * 2;
    c->next_delay_s = next > sup->options.backoff_max_s ? sup->options.backoff_max_s : next;
    supervisor_say(sup, sup->options.own_name, "%s %s; restarting in %.1f s", c->name, why, delay);
    struct timeval tv = seconds(delay);
    evtimer_add(c->restart, &tv);
}

static void describe_end(char *buf, size_t size, int wstatus)
{
    if (WIFEXITED(wstatus))
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(wstatus),
                 strsignal(WTERMSIG(wstatus)));
    else
        snprintf(buf, size, "ended (wait status %d)", wstatus);
}

static void child_ended(struct child *c, int wstatus)
{
    struct supervisor *sup = c->sup;
    char how[128], why[192];
    double up = now_s() - c->started_at;
    pid_t pid = c->pid;
    c->pid = 0;
    describe_end(how, sizeof how, wstatus);
    if (sup->stopping) {
        supervisor_say(sup, sup->options.own_name, "%s (pid %ld) %s", c->name, (long)pid, how);
        check_done(sup);
        return;
    }
    if (up >= sup->options.stable_after_s)
        c->next_delay_s = sup->options.backoff_initial_s;
    snprintf(why, sizeof why, "(pid %ld) %s after %.1f s", (long)pid, how, up);
    schedule_restart(c, why);
}

static void reap(struct supervisor *sup)
{
    int wstatus;
    pid_t pid;
    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
        for (size_t i = 0; i < sup->count; i++)
            if (sup->children[i]->pid == pid) {
                child_ended(sup->children[i], wstatus);
                break;
            }
}

/* ------------------------------------------------------------------ stopping */

static size_t running(const struct supervisor *sup)
{
    size_t n = 0;
    for (size_t i = 0; i < sup->count; i++)
        n += sup->children[i]->pid != 0;
    return n;
}

static void check_done(struct supervisor *sup)
{
    if (sup->stopping && running(sup) == 0 && sup->outputs == NULL)
        event_base_loopbreak(sup->base);
}

/* To the child's process group (itself and whatever it started), else to the child. */
static void signal_child(pid_t pid, int sig)
{
    if (kill(-pid, sig) < 0)
        kill(pid, sig);
}

static void on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct supervisor *sup = arg;
    for (size_t i = 0; i < sup->count; i++) {
        struct child *c = sup->children[i];
        if (c->pid) {
            supervisor_say(sup, sup->options.own_name,
                           "%s (pid %ld) still running %.0f s after SIGTERM: SIGKILL", c->name,
                           (long)c->pid, sup->options.stop_grace_s);
            signal_child(c->pid, SIGKILL);
        }
    }
}

static void stop(struct supervisor *sup, const char *why)
{
    if (sup->stopping)
        return;
    sup->stopping = true;
    supervisor_say(sup, sup->options.own_name, "%s: stopping", why);
    if (sup->options.on_stop)
        sup->options.on_stop(sup->options.on_stop_ctx);
    for (size_t i = 0; i < sup->count; i++) {
        struct child *c = sup->children[i];
        evtimer_del(c->restart);
        if (c->pid)
            signal_child(c->pid, SIGTERM);
    }
    struct timeval tv = seconds(sup->options.stop_grace_s);
    evtimer_add(sup->kill_timer, &tv);
    check_done(sup);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct supervisor *sup = arg;
    if (sig == SIGCHLD)
        reap(sup);
    else
        stop(sup, sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
}

/* ------------------------------------------------------------------ the supervisor */

struct supervisor *supervisor_new(const struct supervisor_options *options)
{
    struct supervisor *sup = shop_xcalloc(1, sizeof *sup);
    sup->options = *options;
    if (sup->options.backoff_initial_s <= 0)
        sup->options.backoff_initial_s = 0.5;
    if (sup->options.backoff_max_s <= 0)
        sup->options.backoff_max_s = 30;
    if (sup->options.stable_after_s <= 0)
        sup->options.stable_after_s = 30;
    if (sup->options.stop_grace_s <= 0)
        sup->options.stop_grace_s = 5;
    if (!sup->options.own_name)
        sup->options.own_name = "shop up";
    if (!sup->options.out)
        sup->options.out = stdout;
    sup->width = (int)strlen(sup->options.own_name);
    sup->base = event_base_new();
    if (!sup->base)
        shop_out_of_memory();
    static const int numbers[4] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
    for (int i = 0; i < 4; i++) {
        sup->signals[i] = evsignal_new(sup->base, numbers[i], on_signal, sup);
        if (!sup->signals[i])
            shop_out_of_memory();
    }
    sup->kill_timer = evtimer_new(sup->base, on_kill_timer, sup);
    if (!sup->kill_timer)
        shop_out_of_memory();
    return sup;
}

void supervisor_reserve_name(struct supervisor *sup, const char *name)
{
    int len = (int)strlen(name);
    if (len > sup->width)
        sup->width = len;
}

void supervisor_add(struct supervisor *sup, const char *name, const char *path,
                    const char *const argv[])
{
    struct child *c = shop_xcalloc(1, sizeof *c);
    c->sup = sup;
    c->name = shop_xstrdup(name);
    c->path = shop_xstrdup(path);
    size_t n = 0;
    while (argv[n])
        n++;
    c->argv = shop_xcalloc(n + 1, sizeof *c->argv);
    for (size_t i = 0; i < n; i++)
        c->argv[i] = shop_xstrdup(argv[i]);
    c->next_delay_s = sup->options.backoff_initial_s;
    c->restart = evtimer_new(sup->base, on_restart, c);
    if (!c->restart)
        shop_out_of_memory();
    sup->children = shop_xreallocarray(sup->children, sup->count + 1, sizeof *sup->children);
    sup->children[sup->count++] = c;
    supervisor_reserve_name(sup, name);
}

int supervisor_run(struct supervisor *sup)
{
    for (int i = 0; i < 4; i++)
        evsignal_add(sup->signals[i], NULL);
    for (size_t i = 0; i < sup->count; i++)
        child_start(sup->children[i]);
    int rc = event_base_dispatch(sup->base);
    for (int i = 0; i < 4; i++)
        evsignal_del(sup->signals[i]);
    if (rc < 0)
        return shop_error_set(SHOP_EINTERNAL, "the supervisor's event loop failed");
    return 0;
}

void supervisor_free(struct supervisor *sup)
{
    if (!sup)
        return;
    while (sup->outputs) {
        struct output *o = sup->outputs;
        sup->outputs = o->next;
        bufferevent_free(o->bev);
        free(o);
    }
    for (size_t i = 0; i < sup->count; i++) {
        struct child *c = sup->children[i];
        event_free(c->restart);
        for (char **a = c->argv; *a; a++)
            free(*a);
        free(c->argv);
        free(c->path);
        free(c->name);
        free(c);
    }
    free(sup->children);
    for (int i = 0; i < 4; i++)
        event_free(sup->signals[i]);
    event_free(sup->kill_timer);
    event_base_free(sup->base);
    free(sup);
}
