/* The SQLite history: one file, WAL mode, schema versioned by PRAGMA user_version and
 * documented in docs/history.md so users can query it with the sqlite3 shell (opening and the
 * schema: sqlite_open.c). Here: sensors, files, and the rows of (day, source) records written
 * and loaded. Every write happens inside a transaction the caller opens, so a killed process
 * leaves the history as it was before that transaction. */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../aggregate/key_order.h"
#include "../classify/netset.h"
#include "../decode/decode.h"
#include "../util/error.h"
#include "record_codec.h"
#include "sqlite_store.h"
#include "store.h"

static const char *sqlite_time_zone(const store_t *base)
{
    return ((const struct sqlite_store *)base)->time_zone;
}

static int sqlite_sensor(store_t *base, const char *name, bool create, int64_t *id, char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (create) {
        if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO sensor (name) VALUES (?)", -1, &st,
                               NULL) != SQLITE_OK)
            return sqlite_store_error(s, errbuf, "adding the sensor");
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step != SQLITE_DONE) return sqlite_store_error(s, errbuf, "adding the sensor");
    }
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM sensor WHERE name = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return sqlite_store_error(s, errbuf, "finding the sensor");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return found ? SL_OK
                 : sl_error(errbuf, SL_ERR_USAGE, "%s: no sensor named '%s' in the history",
                            s->path, name);
}

static int sqlite_begin(store_t *base, char *errbuf)
{
    return sqlite_store_exec((struct sqlite_store *)base, "BEGIN IMMEDIATE", errbuf,
                             "starting a transaction");
}

static int sqlite_commit(store_t *base, char *errbuf)
{
    return sqlite_store_exec((struct sqlite_store *)base, "COMMIT", errbuf, "committing");
}

static void sqlite_rollback(store_t *base)
{
    sqlite3_exec(((struct sqlite_store *)base)->db, "ROLLBACK", NULL, NULL, NULL);
}

static void fingerprint_text(const struct file_identity *f, char *buf)
{
    snprintf(buf, 40, "%016llx-%llu", (unsigned long long)f->fingerprint,
             (unsigned long long)f->size);
}

static int sqlite_file_state(store_t *base, int64_t sensor, const struct file_identity *f,
                             int *state, char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    char fp[40];
    fingerprint_text(f, fp);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT state FROM ingest WHERE sensor_id = ? AND fingerprint = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "reading the ingest ledger");
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_text(st, 2, fp, -1, SQLITE_TRANSIENT);
    *state = FILE_UNKNOWN;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        *state = !strcmp(text, "complete") ? FILE_COMPLETE
                 : !strcmp(text, "failed") ? FILE_FAILED
                                           : FILE_STARTED;
    }
    sqlite3_finalize(st);
    return SL_OK;
}

static int sqlite_mark_file(store_t *base, int64_t sensor, const struct file_identity *f, int state,
                            uint64_t packets, const char *message, char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    char fp[40];
    fingerprint_text(f, fp);
    const char *sql =
        state == FILE_STARTED ? "INSERT INTO ingest (sensor_id, path, size, fingerprint, state, "
                                "started_at, host, pid)"
                                " VALUES (?1, ?2, ?3, ?4, 'started', datetime('now'), ?7, ?8) ON "
                                "CONFLICT (sensor_id, fingerprint)"
                                " DO UPDATE SET path = ?2, state = 'started', started_at = "
                                "datetime('now'), host = ?7, pid = ?8"
        : state == FILE_FAILED
            ? "UPDATE ingest SET state = 'failed', packets = ?5, message = ?6, path = ?2,"
              " finished_at = datetime('now') WHERE sensor_id = ?1 AND fingerprint = ?4"
            : "UPDATE ingest SET state = 'complete', packets = ?5, message = ?6, path = ?2,"
              " finished_at = datetime('now') WHERE sensor_id = ?1 AND fingerprint = ?4";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "writing the ingest ledger");
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_text(st, 2, f->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)f->size);
    sqlite3_bind_text(st, 4, fp, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)packets);
    if (message) sqlite3_bind_text(st, 6, message, -1, SQLITE_TRANSIENT);
    if (state == FILE_STARTED) {
        char host[256] = "";
        gethostname(host, sizeof host - 1);
        sqlite3_bind_text(st, 7, host, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)getpid());
    }
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? SL_OK : sqlite_store_error(s, errbuf, "writing the ingest ledger");
}

/* ---- name mappings ---------------------------------------------------------------------- */

static int name_id(struct sqlite_store *s, const char *table, const char *name, uint16_t *id,
                   char *errbuf)
{
    char sql[128];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO %s (name) VALUES (?)", table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "naming tools");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE name = ?", table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "naming tools");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int ok = sqlite3_step(st) == SQLITE_ROW;
    if (ok) *id = (uint16_t)sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return ok ? SL_OK : sqlite_store_error(s, errbuf, "naming tools");
}

static int map_names_for_writing(struct sqlite_store *s, const fprules_t *rules, char *errbuf)
{
    for (size_t t = 1; t < fprules_tool_count(rules); t++)
        if (name_id(s, "tool", fprules_tool_name(rules, (int)t), &s->tool_to_db[t], errbuf) !=
            SL_OK)
            return SL_ERR_IO;
    size_t n = fprules_count(rules);
    free(s->rule_to_db);
    s->rule_to_db = calloc(n ? n : 1, sizeof *s->rule_to_db);
    if (!s->rule_to_db) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < n; r++)
        if (name_id(s, "rule", fprules_rule_name(rules, (int)r), &s->rule_to_db[r], errbuf) !=
            SL_OK)
            return SL_ERR_IO;
    return SL_OK;
}

static uint16_t tool_to_db(void *ctx, int tool)
{
    return ((struct sqlite_store *)ctx)->tool_to_db[tool];
}

static uint16_t rule_to_db(void *ctx, int rule)
{
    return ((struct sqlite_store *)ctx)->rule_to_db[rule];
}

static int tool_from_db(void *ctx, uint16_t id)
{
    struct sqlite_store *s = ctx;
    return id < s->n_db_tools ? s->db_tool_to_rule_tool[id] : -1;
}

static int rule_from_db(void *ctx, uint16_t id)
{
    struct sqlite_store *s = ctx;
    return id < s->n_db_rules ? s->db_rule_to_rule[id] : -1;
}

/* Reads table (id, name) and maps each id to what `lookup` says of the name. */
static int map_table(struct sqlite_store *s, const char *table, int **map, size_t *n,
                     const fprules_t *rules, bool tools, char *errbuf)
{
    char sql[96];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT id, name FROM %s", table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "reading names");
    free(*map);
    *map = NULL;
    *n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (id < 0 || id > 65535) continue;
        if ((size_t)id >= *n) {
            int *grown = realloc(*map, ((size_t)id + 1) * sizeof *grown);
            if (!grown) break;
            for (size_t i = *n; i <= (size_t)id; i++)
                grown[i] = -1;
            *map = grown;
            *n = (size_t)id + 1;
        }
        int mapped = -1;
        if (tools)
            mapped = fprules_tool_id(rules, name);
        else
            for (size_t r = 0; r < fprules_count(rules); r++)
                if (!strcmp(fprules_rule_name(rules, (int)r), name)) mapped = (int)r;
        (*map)[id] = mapped;
    }
    sqlite3_finalize(st);
    return SL_OK;
}

/* ---- records ---------------------------------------------------------------------------- */

static bool read_row(struct sqlite_store *s, sqlite3_stmt *st, int col, struct src_day *r)
{
    static const int kinds[] = {KIND_SYN_PROBE,   KIND_UDP_PROBE, KIND_ICMP_PROBE,
                                KIND_BACKSCATTER, KIND_SENSOR,    KIND_OTHER};
    for (int i = 0; i < 6; i++)
        r->kind_packets[kinds[i]] = (uint32_t)sqlite3_column_int64(st, col + i);
    r->syn_from_service_port = (uint32_t)sqlite3_column_int64(st, col + 6);
    r->first_ns = sqlite3_column_int64(st, col + 7);
    r->last_ns = sqlite3_column_int64(st, col + 8);
    bool ok =
        decode_tools(r, sqlite3_column_blob(st, col + 9), (size_t)sqlite3_column_bytes(st, col + 9),
                     tool_from_db, rule_from_db, s) &&
        decode_ports(&r->syn_ports, sqlite3_column_blob(st, col + 10),
                     (size_t)sqlite3_column_bytes(st, col + 10));
    size_t udp_len = (size_t)sqlite3_column_bytes(st, col + 11);
    if (ok && udp_len) {
        r->udp_ports = calloc(1, sizeof *r->udp_ports);
        ok = r->udp_ports && decode_ports(r->udp_ports, sqlite3_column_blob(st, col + 11), udp_len);
    }
    return ok && decode_addrs(&r->dsts, sqlite3_column_blob(st, col + 12),
                              (size_t)sqlite3_column_bytes(st, col + 12));
}

/* Binds record r to st (put_row, or update_row: the same numbered parameters) and runs it. */
static int bind_row(struct sqlite_store *s, sqlite3_stmt *st, int64_t sensor,
                    const struct src_day *r, char *errbuf)
{
    char text[64];
    buffer_reset(&s->tools);
    buffer_reset(&s->syn_ports);
    buffer_reset(&s->udp_ports);
    buffer_reset(&s->dsts);
    encode_tools(&s->tools, r, tool_to_db, rule_to_db, s);
    encode_ports(&s->syn_ports, &r->syn_ports);
    if (r->udp_ports) encode_ports(&s->udp_ports, r->udp_ports);
    encode_addrs(&s->dsts, &r->dsts);
    if (s->tools.failed || s->syn_ports.failed || s->udp_ports.failed || s->dsts.failed)
        return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_int(st, 2, r->day);
    sqlite3_bind_blob(st, 3, r->src.b, 16, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ipaddr_format(&r->src, text, sizeof text), -1, SQLITE_TRANSIENT);
    const uint32_t *k = r->kind_packets;
    sqlite3_bind_int64(st, 5, k[KIND_SYN_PROBE]);
    sqlite3_bind_int64(st, 6, k[KIND_UDP_PROBE]);
    sqlite3_bind_int64(st, 7, k[KIND_ICMP_PROBE]);
    sqlite3_bind_int64(st, 8, k[KIND_BACKSCATTER]);
    sqlite3_bind_int64(st, 9, k[KIND_SENSOR]);
    sqlite3_bind_int64(st, 10, k[KIND_OTHER]);
    sqlite3_bind_int64(st, 11, r->syn_from_service_port);
    sqlite3_bind_int64(st, 12, r->first_ns);
    sqlite3_bind_int64(st, 13, r->last_ns);
    sqlite3_bind_int64(st, 14, r->syn_ports.n);
    sqlite3_bind_int64(st, 15, src_day_udp_ports(r));
    sqlite3_bind_int64(st, 16, r->dsts.n);
    sqlite3_bind_blob(st, 17, s->tools.data, (int)s->tools.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 18, s->syn_ports.data, (int)s->syn_ports.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 19, s->udp_ports.data, (int)s->udp_ports.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 20, s->dsts.data, (int)s->dsts.len, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? SL_OK
                                           : sqlite_store_error(s, errbuf, "writing a record");
}

static int write_row(struct sqlite_store *s, int64_t sensor, const struct src_day *r, char *errbuf)
{
    return bind_row(s, s->put_row, sensor, r, errbuf);
}

/* Whether the history holds rows of a sensor's day: when it holds none, a day's records are
 * written without first looking each one up (a tenth of a new month's ingest). */
static int day_has_rows(struct sqlite_store *s, int64_t sensor, int32_t day, bool *has,
                        char *errbuf)
{
    sqlite3_stmt *st = s->day_has_rows;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_int(st, 2, day);
    int step = sqlite3_step(st);
    *has = step == SQLITE_ROW;
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE
               ? SL_OK
               : sqlite_store_error(s, errbuf, "reading a day");
}

/* Merges one record into the stored row for the same (sensor, day, source). */
static int put_record(struct sqlite_store *s, int64_t sensor, const struct src_day *r, char *errbuf)
{
    sqlite3_stmt *st = s->get_row;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_int(st, 2, r->day);
    sqlite3_bind_blob(st, 3, r->src.b, 16, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) return write_row(s, sensor, r, errbuf);
    if (step != SQLITE_ROW) return sqlite_store_error(s, errbuf, "reading a record");
    struct src_day merged;
    src_day_init(&merged, &r->src, r->day);
    int rc = SL_OK;
    if (!read_row(s, st, 0, &merged))
        rc = sl_error(errbuf, SL_ERR_FORMAT, "%s: a stored record is damaged", s->path);
    sqlite3_reset(st);
    if (rc == SL_OK && !src_day_merge(&merged, r))
        rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    /* the row was just read, in this transaction: overwritten in place (7% faster than
     * INSERT OR REPLACE, a delete and an insert, over hourly files) */
    if (rc == SL_OK) rc = bind_row(s, s->update_row, sensor, &merged, errbuf);
    if (rc == SL_OK && sqlite3_changes(s->db) != 1)
        rc = sl_error(errbuf, SL_ERR_IO, "%s: a record read a moment ago is gone", s->path);
    src_day_free(&merged);
    return rc;
}

static int add_counter(struct sqlite_store *s, int64_t sensor, const char *name, uint64_t value,
                       char *errbuf)
{
    if (!value) return SL_OK;
    sqlite3_stmt *st = s->add_counter;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)value);
    return sqlite3_step(st) == SQLITE_DONE ? SL_OK
                                           : sqlite_store_error(s, errbuf, "writing counters");
}

static int sqlite_add_agg(store_t *base, int64_t sensor, const agg_t *agg, const fprules_t *rules,
                          char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    int rc = map_names_for_writing(s, rules, errbuf);
    if (rc == SL_OK)
        rc = map_table(s, "tool", &s->db_tool_to_rule_tool, &s->n_db_tools, rules, true, errbuf);
    if (rc == SL_OK)
        rc = map_table(s, "rule", &s->db_rule_to_rule, &s->n_db_rules, rules, false, errbuf);
    /* in the rows' own order: a month's records in record order took ten times as long,
     * each insert reading and writing another page of the file */
    uint32_t *order = rc == SL_OK ? agg_key_order(agg) : NULL;
    if (rc == SL_OK && !order) rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    bool day_stored = false; /* whether the history holds rows of `day` */
    int32_t day = 0;
    for (size_t i = 0; rc == SL_OK && i < agg_records(agg); i++) {
        struct src_day scratch;
        const struct src_day *r = agg_record(agg, order[i], &scratch);
        if (i == 0 || r->day != day) {
            day = r->day;
            rc = day_has_rows(s, sensor, day, &day_stored, errbuf);
        }
        if (rc == SL_OK)
            rc = day_stored ? put_record(s, sensor, r, errbuf) : write_row(s, sensor, r, errbuf);
        if (base->progress && (i & 0xFFFF) == 0xFFFF)
            base->progress(base->progress_ctx, i + 1, agg_records(agg));
    }
    free(order);
    for (size_t i = 0; rc == SL_OK && i < agg_probed_count(agg); i++) {
        sqlite3_reset(s->add_probed);
        sqlite3_bind_int64(s->add_probed, 1, sensor);
        sqlite3_bind_blob(s->add_probed, 2, agg_probed(agg, i)->b, 16, SQLITE_STATIC);
        if (sqlite3_step(s->add_probed) != SQLITE_DONE)
            rc = sqlite_store_error(s, errbuf, "writing probed addresses");
    }
    char name[48];
    if (rc == SL_OK) rc = add_counter(s, sensor, "frames", agg_frames(agg), errbuf);
    for (int st = 0; rc == SL_OK && st < PKT_STATUS_COUNT; st++) {
        snprintf(name, sizeof name, "status.%s", packet_status_name(st));
        rc = add_counter(s, sensor, name, agg_status_count(agg, st), errbuf);
    }
    for (int k = 0; rc == SL_OK && k < KIND_COUNT; k++) {
        snprintf(name, sizeof name, "kind.%d", k);
        rc = add_counter(s, sensor, name, agg_kind_count(agg, k), errbuf);
    }
    return rc;
}

static int sqlite_add_capture_stats(store_t *base, int64_t sensor, int64_t at_ns, uint64_t received,
                                    uint64_t dropped_kernel, uint64_t dropped_interface,
                                    char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO capture_stats VALUES (?, ?, ?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "writing capture statistics");
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_int64(st, 2, at_ns);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)received);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)dropped_kernel);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)dropped_interface);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? SL_OK
                               : sqlite_store_error(s, errbuf, "writing capture statistics");
}

/* The first and last day a sensor has rows of, within [*first, *last]: for load's progress
 * line. False when it has none there (or the query failed: the line is only left out). */
static bool stored_day_range(struct sqlite_store *s, int64_t sensor, int32_t *first, int32_t *last)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT min(day), max(day) FROM source_day"
                           " WHERE sensor_id = ? AND day BETWEEN ? AND ?",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_int64(st, 1, sensor);
    sqlite3_bind_int(st, 2, *first);
    sqlite3_bind_int(st, 3, *last);
    bool found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found) {
        *first = sqlite3_column_int(st, 0);
        *last = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    return found;
}

static int sqlite_load(store_t *base, const int64_t *sensors, size_t n_sensors, int32_t from_day,
                       int32_t to_day, agg_t *into, const fprules_t *rules, char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    int rc = map_table(s, "tool", &s->db_tool_to_rule_tool, &s->n_db_tools, rules, true, errbuf);
    if (rc == SL_OK)
        rc = map_table(s, "rule", &s->db_rule_to_rule, &s->n_db_rules, rules, false, errbuf);
    for (size_t i = 0; rc == SL_OK && i < n_sensors; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(
                s->db,
                "SELECT day, src, syn, udp, icmp, backscatter, sensor_packets, other,"
                " syn_from_service_port, first_ns, last_ns, tools, syn_port_counts,"
                " udp_port_counts, dst_set FROM source_day"
                " WHERE sensor_id = ? AND day BETWEEN ? AND ?",
                -1, &st, NULL) != SQLITE_OK)
            return sqlite_store_error(s, errbuf, "reading records");
        sqlite3_bind_int64(st, 1, sensors[i]);
        sqlite3_bind_int(st, 2, from_day);
        sqlite3_bind_int(st, 3, to_day);
        /* a sensor's rows are unique by (day, source): the first sensor's, into an empty
         * table, need no lookup (13.7 M rows: 6.5 s to load with a lookup each, 5.1 without) */
        bool unique = i == 0 && agg_records(into) == 0;
        int32_t first = from_day, last = to_day;
        bool show = base->progress && stored_day_range(s, sensors[i], &first, &last);
        int step;
        for (size_t rows = 1; rc == SL_OK && (step = sqlite3_step(st)) == SQLITE_ROW; rows++) {
            if (show && (rows & 0xFFFF) == 0)
                base->progress(base->progress_ctx, (size_t)(sqlite3_column_int(st, 0) - first) + 1,
                               (size_t)(last - first) + 1);
            struct src_day r;
            struct ipaddr src;
            if (sqlite3_column_bytes(st, 1) != 16) {
                rc = sl_error(errbuf, SL_ERR_FORMAT, "%s: a stored address is damaged", s->path);
                break;
            }
            memcpy(src.b, sqlite3_column_blob(st, 1), 16);
            src_day_init(&r, &src, sqlite3_column_int(st, 0));
            if (!read_row(s, st, 2, &r))
                rc = sl_error(errbuf, SL_ERR_FORMAT, "%s: a stored record is damaged", s->path);
            else if (!(unique ? agg_append_record(into, &r) : agg_merge_record(into, &r)))
                rc = sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
            src_day_free(&r);
        }
        if (rc == SL_OK && step != SQLITE_DONE)
            rc = sqlite_store_error(s, errbuf, "reading records");
        sqlite3_finalize(st);
        /* counters and probed addresses */
        uint64_t frames = 0, status[PKT_STATUS_COUNT] = {0}, kind[KIND_COUNT] = {0};
        if (rc == SL_OK &&
            sqlite3_prepare_v2(s->db, "SELECT name, value FROM counter WHERE sensor_id = ?", -1,
                               &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, sensors[i]);
            while (sqlite3_step(st) == SQLITE_ROW) {
                const char *name = (const char *)sqlite3_column_text(st, 0);
                uint64_t v = (uint64_t)sqlite3_column_int64(st, 1);
                if (!strcmp(name, "frames")) frames = v;
                for (int k = 0; k < PKT_STATUS_COUNT; k++) {
                    char want[48];
                    snprintf(want, sizeof want, "status.%s", packet_status_name(k));
                    if (!strcmp(name, want)) status[k] = v;
                }
                if (!strncmp(name, "kind.", 5)) {
                    int k = atoi(name + 5);
                    if (k >= 0 && k < KIND_COUNT) kind[k] = v;
                }
            }
            sqlite3_finalize(st);
            agg_count_frames(into, frames, status, kind);
        }
        if (rc == SL_OK && sqlite3_prepare_v2(s->db, "SELECT addr FROM probed WHERE sensor_id = ?",
                                              -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, sensors[i]);
            while (sqlite3_step(st) == SQLITE_ROW)
                if (sqlite3_column_bytes(st, 0) == 16) {
                    struct ipaddr a;
                    memcpy(a.b, sqlite3_column_blob(st, 0), 16);
                    agg_add_probed(into, &a);
                }
            sqlite3_finalize(st);
        }
    }
    return rc;
}

static int sqlite_each_sensor(store_t *base, void (*fn)(void *, int64_t, const char *), void *ctx,
                              char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, name FROM sensor ORDER BY name", -1, &st, NULL) !=
        SQLITE_OK)
        return sqlite_store_error(s, errbuf, "listing sensors");
    while (sqlite3_step(st) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return SL_OK;
}

/* A file left 'started' by a process that is gone was interrupted; one whose process still
 * runs on this host is being ingested right now. */
static bool still_running(const char *host, int64_t pid)
{
    char here[256] = "";
    gethostname(here, sizeof here - 1);
    return host && !strcmp(host, here) && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static int sqlite_each_unfinished(store_t *base, int64_t sensor, void (*fn)(void *, const char *),
                                  void *ctx, char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db, "SELECT path, host, pid FROM ingest WHERE sensor_id = ? AND state = 'started'",
            -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "reading the ingest ledger");
    sqlite3_bind_int64(st, 1, sensor);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (!still_running((const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2)))
            fn(ctx, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return SL_OK;
}

static int sqlite_each_file(store_t *base, int64_t sensor,
                            void (*fn)(void *, const char *, uint64_t, int, const char *),
                            void *ctx, char *errbuf)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT path, coalesce(packets, 0), state, message FROM ingest"
                           " WHERE sensor_id = ? ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "reading the ingest ledger");
    sqlite3_bind_int64(st, 1, sensor);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *state = (const char *)sqlite3_column_text(st, 2);
        fn(ctx, (const char *)sqlite3_column_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
           !strcmp(state, "complete") ? FILE_COMPLETE
           : !strcmp(state, "failed") ? FILE_FAILED
                                      : FILE_STARTED,
           (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return SL_OK;
}

const struct store_ops store_sqlite = {
    .name = "sqlite",
    .open = sqlite_store_open,
    .close = sqlite_store_close,
    .time_zone = sqlite_time_zone,
    .sensor = sqlite_sensor,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .file_state = sqlite_file_state,
    .mark_file = sqlite_mark_file,
    .add_agg = sqlite_add_agg,
    .add_capture_stats = sqlite_add_capture_stats,
    .load = sqlite_load,
    .each_sensor = sqlite_each_sensor,
    .each_unfinished = sqlite_each_unfinished,
    .each_file = sqlite_each_file,
};
