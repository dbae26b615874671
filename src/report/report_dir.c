/* Writing the report files into an output directory, each complete or not at all. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/error.h"
#include "report.h"

const struct report_writer report_writers[] = {
    {"sources.csv", report_write_sources_csv},
    {"summary.json", report_write_summary_json},
};
const size_t report_writer_count = sizeof report_writers / sizeof report_writers[0];

static int write_one(const char *dir, const struct report_writer *w, const struct report_input *in,
                     char *errbuf)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, w->file_name);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return sl_error(errbuf, SL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    int rc = w->write(f, in);
    int saved = errno;
    if (fflush(f) != 0 || ferror(f)) rc = -1, saved = errno;
    if (fclose(f) != 0 && rc == 0) rc = -1, saved = errno;
    if (rc != 0) {
        unlink(tmp);
        return sl_error(errbuf, SL_ERR_IO, "%s: write failed: %s (the previous file, if any, is "
                                           "untouched)", path, strerror(saved));
    }
    if (rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        return sl_error(errbuf, SL_ERR_IO, "%s: cannot put in place: %s", path, strerror(saved));
    }
    return SL_OK;
}

/* mkdir -p: creates dir and any missing parents. */
static int make_dirs(const char *dir, char *errbuf)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return sl_error(errbuf, SL_ERR_USAGE, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return sl_error(errbuf, SL_ERR_IO, "%s: cannot create directory: %s", path,
                            strerror(errno));
        *p = saved;
        if (!saved) return SL_OK;
    }
}

int report_write_dir(const char *dir, const struct report_input *in, char *errbuf)
{
    int rc = make_dirs(dir, errbuf);
    if (rc != SL_OK) return rc;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return sl_error(errbuf, SL_ERR_IO, "%s: not a directory", dir);
    for (size_t i = 0; i < report_writer_count; i++) {
        rc = write_one(dir, &report_writers[i], in, errbuf);
        if (rc != SL_OK) return rc;
    }
    return SL_OK;
}
