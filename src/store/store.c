/* Choosing the store backend, and the file identity used to skip files already ingested. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/error.h"

int store_open(store_t **out, const char *location, const struct store_open_options *opt,
               char *errbuf)
{
    *out = NULL;
    if (strstr(location, "://"))
        return sl_error(
            errbuf, SL_ERR_UNSUPPORTED,
            "%s: only SQLite files are supported as --db for now (ClickHouse comes next)",
            location);
    return store_sqlite.open(out, location, opt, errbuf);
}

#define EDGE (64u << 10)

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

int file_identity_read(struct file_identity *f, const char *path, char *errbuf)
{
    f->path = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int saved = errno;
        if (fd >= 0) close(fd);
        return sl_error(errbuf, SL_ERR_IO, "%s: cannot open: %s", path, strerror(saved));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return sl_error(errbuf, SL_ERR_IO, "%s: not a regular file (ingest reads files, not pipes)",
                        path);
    }
    f->size = (uint64_t)st.st_size;
    static uint8_t buf[EDGE];
    uint64_t h = 0xcbf29ce484222325ULL ^ f->size;
    ssize_t n = pread(fd, buf, EDGE, 0);
    if (n > 0) h = fnv1a(h, buf, (size_t)n);
    if (f->size > EDGE) {
        n = pread(fd, buf, EDGE, (off_t)(f->size > 2 * EDGE ? f->size - EDGE : EDGE));
        if (n > 0) h = fnv1a(h, buf, (size_t)n);
    }
    close(fd);
    f->fingerprint = h;
    return SL_OK;
}
