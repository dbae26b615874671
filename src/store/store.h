/* The history: daily (sensor, day, source) records, the files and capture intervals they came
 * from, and capture statistics, behind one small interface so that SQLite (the default, one
 * file) and ClickHouse (many sensors, next) are interchangeable. A store's records merge with
 * what it already holds exactly as agg_merge does, so a day split over files, runs or
 * sensors adds up.
 *
 *   store_t *st;
 *   store_open(&st, "history.db", &opts, errbuf);     -- creates and migrates as needed
 *   store_sensor(st, "tokyo-1", true, &sensor, errbuf);
 *   store_begin(st, errbuf); store_add_agg(...); store_mark_file(...); store_commit(st, errbuf);
 *   store_load(st, sensors, n, from, to, agg, rules, errbuf);
 *   store_close(st);
 */
#ifndef SCANLENS_STORE_H
#define SCANLENS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../aggregate/agg.h"
#include "../classify/fprules.h"

typedef struct store store_t;

struct store_open_options {
    const char *time_zone; /* the zone days are counted in; fixed when the store is created */
    bool read_only;
};

/* What identifies a capture file whatever its name: size and a hash of its first and last
 * 64 KiB. */
struct file_identity {
    const char *path;
    uint64_t size;
    uint64_t fingerprint;
};

enum file_state { FILE_UNKNOWN = 0, FILE_COMPLETE, FILE_STARTED, FILE_FAILED };

struct store_ops {
    const char *name;
    int (*open)(store_t **out, const char *location, const struct store_open_options *opt,
                char *errbuf);
    void (*close)(store_t *st);
    const char *(*time_zone)(const store_t *st);
    int (*sensor)(store_t *st, const char *name, bool create, int64_t *id, char *errbuf);
    int (*begin)(store_t *st, char *errbuf);
    int (*commit)(store_t *st, char *errbuf);
    void (*rollback)(store_t *st);
    int (*file_state)(store_t *st, int64_t sensor, const struct file_identity *f, int *state,
                      char *errbuf);
    int (*mark_file)(store_t *st, int64_t sensor, const struct file_identity *f, int state,
                     uint64_t packets, const char *message, char *errbuf);
    int (*add_agg)(store_t *st, int64_t sensor, const agg_t *agg, const fprules_t *rules,
                   char *errbuf);
    int (*add_capture_stats)(store_t *st, int64_t sensor, int64_t at_ns, uint64_t received,
                             uint64_t dropped_kernel, uint64_t dropped_interface, char *errbuf);
    int (*load)(store_t *st, const int64_t *sensors, size_t n_sensors, int32_t from_day,
                int32_t to_day, agg_t *into, const fprules_t *rules, char *errbuf);
    /* Calls fn for every sensor (id, name). */
    int (*each_sensor)(store_t *st, void (*fn)(void *ctx, int64_t id, const char *name), void *ctx,
                       char *errbuf);
    /* Calls fn for every file in the ingest ledger of the sensor: path, packets, state and the
     * message it was recorded with (or NULL). */
    int (*each_file)(store_t *st, int64_t sensor,
                     void (*fn)(void *ctx, const char *path, uint64_t packets, int state,
                                const char *message),
                     void *ctx, char *errbuf);
    /* Calls fn for every file left in state FILE_STARTED (an interrupted ingest). */
    int (*each_unfinished)(store_t *st, int64_t sensor, void (*fn)(void *ctx, const char *path),
                           void *ctx, char *errbuf);
};

struct store {
    const struct store_ops *ops;
    /* Optional, set with store_set_progress: called now and then while add_agg writes a
     * table's records (done of total records) and while load reads a sensor's (done of total
     * days: rows come day by day), for a progress line; an ingest of millions of records
     * writes for a minute, a report of them reads for seconds. */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
};

extern const struct store_ops store_sqlite;

static inline void store_set_progress(store_t *st, void (*fn)(void *ctx, size_t done, size_t total),
                                      void *ctx)
{
    st->progress = fn;
    st->progress_ctx = ctx;
}

/* Thin wrappers over the operations. */
static inline int store_sensor(store_t *st, const char *name, bool create, int64_t *id, char *e)
{
    return st->ops->sensor(st, name, create, id, e);
}
static inline int store_begin(store_t *st, char *e)
{
    return st->ops->begin(st, e);
}
static inline int store_commit(store_t *st, char *e)
{
    return st->ops->commit(st, e);
}
static inline void store_rollback(store_t *st)
{
    st->ops->rollback(st);
}

/* Opens the store at location (a path: SQLite). */
int store_open(store_t **out, const char *location, const struct store_open_options *opt,
               char *errbuf);
static inline void store_close(store_t *st)
{
    if (st) st->ops->close(st);
}

/* Reads size and fingerprint of a file; SL_OK or an error naming the file. */
int file_identity_read(struct file_identity *f, const char *path, char *errbuf);

#endif
