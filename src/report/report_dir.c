/* Writing the report files into an output directory, each complete or not at all. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/error.h"
#include "report.h"

const struct report_writer report_writers[] = {
    {"sources.csv", report_write_sources_csv}, {"summary.json", report_write_summary_json},
    {"daily.csv", report_write_daily_csv},     {"ports.csv", report_write_ports_csv},
    {"report.html", report_write_html},
};
const size_t report_writer_count = sizeof report_writers / sizeof report_writers[0];

#define WRITE_BUFFER (1u << 20)

/* Writes one file through write(out, in, index). */
static int write_one(const char *dir, const char *file_name,
                     int (*write)(FILE *, const struct report_input *, size_t), size_t index,
                     const struct report_input *in, char *errbuf)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file_name);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return sl_error(errbuf, SL_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    /* A large buffer: sources.csv of millions of rows went out in 4 KiB writes, a fifth of
     * the time it took. glibc only takes the size with a buffer given, so one is. Without
     * memory for it, stdio's own buffer. */
    char *buffer = malloc(WRITE_BUFFER);
    if (buffer) setvbuf(f, buffer, _IOFBF, WRITE_BUFFER);
    int rc = write(f, in, index);
    int saved = errno;
    if (fflush(f) != 0 || ferror(f)) rc = -1, saved = errno;
    if (fclose(f) != 0 && rc == 0) rc = -1, saved = errno;
    free(buffer);
    if (rc != 0) {
        unlink(tmp);
        return sl_error(errbuf, SL_ERR_IO,
                        "%s: write failed: %s (the previous file, if any, is "
                        "untouched)",
                        path, strerror(saved));
    }
    if (rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        return sl_error(errbuf, SL_ERR_IO, "%s: cannot put in place: %s", path, strerror(saved));
    }
    return SL_OK;
}

static int write_table_entry(FILE *out, const struct report_input *in, size_t i)
{
    return report_writers[i].write(out, in);
}

static int write_sensors(FILE *out, const struct report_input *in, size_t i)
{
    (void)i;
    return report_write_sensors_csv(out, in);
}

static int write_chart(FILE *out, const struct report_input *in, size_t i)
{
    int rc = report_chart_draw(out, in, i);
    return rc ? rc : ferror(out) ? -1 : 0;
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

int report_dir_prepare(const char *dir, char *errbuf)
{
    int rc = make_dirs(dir, errbuf);
    if (rc != SL_OK) return rc;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return sl_error(errbuf, SL_ERR_IO, "%s: not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return sl_error(errbuf, SL_ERR_IO, "%s: cannot write into it: %s", dir, strerror(errno));
    return SL_OK;
}

int report_write_dir(const char *dir, const struct report_input *in, char *errbuf)
{
    int rc = report_dir_prepare(dir, errbuf);
    if (rc != SL_OK) return rc;
    for (size_t i = 0; i < report_writer_count; i++) {
        rc = write_one(dir, report_writers[i].file_name, write_table_entry, i, in, errbuf);
        if (rc != SL_OK) return rc;
    }
    if (in->sensors) {
        rc = write_one(dir, "sensors.csv", write_sensors, 0, in, errbuf);
        if (rc != SL_OK) return rc;
    }
    for (size_t i = 0; i < report_chart_count(in); i++) {
        char file[128], caption[256];
        report_chart_name(in, i, file, sizeof file, caption, sizeof caption);
        rc = write_one(dir, file, write_chart, i, in, errbuf);
        if (rc != SL_OK) return rc;
    }
    return SL_OK;
}
