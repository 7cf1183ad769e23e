/*
 * infrastructure/postgres/migration_files.c — see migration_files.h.
 */
#include "infrastructure/postgres/migration_files.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SHOP_MIGRATIONS_DIR
#define SHOP_MIGRATIONS_DIR "/usr/local/share/ddd-shop/migrations"
#endif
#ifndef SHOP_BINDIR
#define SHOP_BINDIR "/usr/local/bin"
#endif
#ifndef SHOP_SOURCE_MIGRATIONS_DIR
#define SHOP_SOURCE_MIGRATIONS_DIR ""
#endif

static int is_directory(const char *path)
{
    struct stat st;
    return path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Whether this process is the installed shop: its executable lives in $(bindir).  An
 * uninstalled build (_build/shop) must apply the migrations of the tree it was built
 * from, not older ones that a past `make install` left behind.
 */
static bool running_installed(void)
{
    char exe[PATH_MAX], bindir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return true;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    return realpath(SHOP_BINDIR, bindir) && strcmp(exe, bindir) == 0;
}

int migration_dir_find(const char **out)
{
    const char *env = getenv("SHOP_MIGRATIONS_DIR");
    if (env && *env) {
        if (!is_directory(env))
            return shop_error_set(SHOP_ENOTFOUND, "SHOP_MIGRATIONS_DIR=%s is not a directory", env);
        *out = env;
        return 0;
    }
    const char *first = SHOP_MIGRATIONS_DIR, *second = SHOP_SOURCE_MIGRATIONS_DIR;
    if (!running_installed()) {
        first = SHOP_SOURCE_MIGRATIONS_DIR;
        second = SHOP_MIGRATIONS_DIR;
    }
    if (is_directory(first) || is_directory(second)) {
        *out = is_directory(first) ? first : second;
        return 0;
    }
    return shop_error_set(
        SHOP_ENOTFOUND, "no migrations found in %s; run `make install` or set SHOP_MIGRATIONS_DIR",
        SHOP_MIGRATIONS_DIR);
}

/* "0012_add_outbox.sql" → version 12, name "0012_add_outbox"; 0 if not a migration. */
static int parse_file_name(const char *file, int *version, char *name, size_t name_size)
{
    size_t len = strlen(file);
    size_t digits = 0;
    while (isdigit((unsigned char)file[digits]))
        digits++;
    if (digits != 4 || file[4] != '_' || len < 10 || strcmp(file + len - 4, ".sql") != 0)
        return 0;
    if (len - 4 >= name_size)
        return 0;
    *version = atoi(file);
    memcpy(name, file, len - 4);
    name[len - 4] = '\0';
    return *version > 0;
}

static int read_file(char **out, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return shop_error_set(SHOP_EIO, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = shop_xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0)
            buf = shop_xrealloc(buf, cap *= 2);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return shop_error_set(SHOP_EIO, "cannot read %s", path);
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        return shop_error_set(SHOP_EINVALID, "%s contains a NUL byte", path);
    }
    *out = buf;
    return 0;
}

static int sha256_hex(char out[MIGRATION_CHECKSUM_SIZE], const char *data, size_t len)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) != 1 || digest_len != 32)
        return shop_error_set(SHOP_EINTERNAL, "SHA-256 failed");
    for (unsigned i = 0; i < digest_len; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

static int by_version(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

int migration_set_load(struct migration_set *out, const char *dir)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        return shop_error_set(SHOP_EIO, "cannot open migrations directory %s: %s", dir,
                              strerror(errno));
    out->dir = shop_xstrdup(dir);

    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d)) != NULL) {
        struct migration m = {0};
        if (!parse_file_name(e->d_name, &m.version, m.name, sizeof m.name))
            continue;
        size_t path_len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = shop_xmalloc(path_len);
        snprintf(path, path_len, "%s/%s", dir, e->d_name);
        rc = read_file(&m.sql, path);
        free(path);
        if (rc < 0)
            goto done;
        if ((rc = sha256_hex(m.checksum, m.sql, strlen(m.sql))) < 0) {
            free(m.sql);
            goto done;
        }
        if (out->count == cap)
            out->items = shop_xreallocarray(out->items, cap = cap ? 2 * cap : 8, sizeof m);
        out->items[out->count++] = m;
    }
    if (out->count == 0) {
        rc = shop_error_set(SHOP_ENOTFOUND, "no migrations (NNNN_name.sql files) in %s", dir);
        goto done;
    }
    qsort(out->items, out->count, sizeof *out->items, by_version);

done:
    closedir(d);
    if (rc < 0)
        migration_set_dispose(out);
    return rc;
}

int migration_set_load_shipped(struct migration_set *out)
{
    const char *dir;
    int rc = migration_dir_find(&dir);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    return migration_set_load(out, dir);
}

void migration_set_dispose(struct migration_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        free(set->items[i].sql);
    free(set->items);
    free(set->dir);
    memset(set, 0, sizeof *set);
}
