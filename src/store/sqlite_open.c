/* Opening the SQLite history: creating it with the schema (documented in docs/history.md),
 * checking the version and time zone of one that exists, the pragmas a writer runs with, and
 * the statements every handle keeps; closing it; the error messages its parts share. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../util/error.h"
#include "sqlite_store.h"

#define SCHEMA_VERSION 1

static const char schema_v1[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE sensor (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE tool (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE rule (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE source_day ("
    " sensor_id INTEGER NOT NULL REFERENCES sensor(id), day INTEGER NOT NULL,"
    " src BLOB NOT NULL, src_text TEXT NOT NULL,"
    " syn INTEGER NOT NULL, udp INTEGER NOT NULL, icmp INTEGER NOT NULL,"
    " backscatter INTEGER NOT NULL, sensor_packets INTEGER NOT NULL, other INTEGER NOT NULL,"
    " syn_from_service_port INTEGER NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " syn_ports INTEGER NOT NULL, udp_ports INTEGER NOT NULL, dst_addrs INTEGER NOT NULL,"
    " tools BLOB, syn_port_counts BLOB, udp_port_counts BLOB, dst_set BLOB,"
    " PRIMARY KEY (sensor_id, day, src)) WITHOUT ROWID;"
    "CREATE TABLE probed (sensor_id INTEGER NOT NULL, addr BLOB NOT NULL,"
    " PRIMARY KEY (sensor_id, addr)) WITHOUT ROWID;"
    "CREATE TABLE counter (sensor_id INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,"
    " PRIMARY KEY (sensor_id, name)) WITHOUT ROWID;"
    "CREATE TABLE ingest (id INTEGER PRIMARY KEY, sensor_id INTEGER NOT NULL, path TEXT NOT NULL,"
    " size INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL, packets INTEGER,"
    " message TEXT, started_at TEXT NOT NULL, finished_at TEXT, host TEXT, pid INTEGER,"
    " UNIQUE (sensor_id, fingerprint));"
    "CREATE TABLE capture_stats (sensor_id INTEGER NOT NULL, at_ns INTEGER NOT NULL,"
    " received INTEGER NOT NULL, dropped_kernel INTEGER NOT NULL, dropped_interface INTEGER NOT "
    "NULL);"
    "CREATE VIEW source_day_text AS SELECT s.name AS sensor, date(d.day * 86400, 'unixepoch') AS "
    "day,"
    " d.src_text AS src, d.syn, d.udp, d.icmp, d.backscatter, d.other, d.syn_ports, d.udp_ports,"
    " d.dst_addrs FROM source_day d JOIN sensor s ON s.id = d.sensor_id;";

/* The statements a handle keeps prepared, by the field that holds each; those for writing
 * only in a handle that may write. */
static const struct {
    size_t field;
    const char *sql;
    bool for_writing;
} kept[] = {
    {offsetof(struct sqlite_store, get_row),
     "SELECT syn, udp, icmp, backscatter, sensor_packets, other, syn_from_service_port,"
     " first_ns, last_ns, tools, syn_port_counts, udp_port_counts, dst_set"
     " FROM source_day WHERE sensor_id = ? AND day = ? AND src = ?",
     false},
    {offsetof(struct sqlite_store, update_row),
     "UPDATE source_day SET src_text = ?4, syn = ?5, udp = ?6, icmp = ?7,"
     " backscatter = ?8, sensor_packets = ?9, other = ?10,"
     " syn_from_service_port = ?11, first_ns = ?12, last_ns = ?13, syn_ports = ?14,"
     " udp_ports = ?15, dst_addrs = ?16, tools = ?17, syn_port_counts = ?18,"
     " udp_port_counts = ?19, dst_set = ?20"
     " WHERE sensor_id = ?1 AND day = ?2 AND src = ?3",
     true},
    {offsetof(struct sqlite_store, day_has_rows),
     "SELECT 1 FROM source_day WHERE sensor_id = ? AND day = ? LIMIT 1", true},
    {offsetof(struct sqlite_store, put_row),
     "INSERT OR REPLACE INTO source_day VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", true},
    {offsetof(struct sqlite_store, add_probed), "INSERT OR IGNORE INTO probed VALUES (?, ?)", true},
    {offsetof(struct sqlite_store, add_counter),
     "INSERT INTO counter VALUES (?, ?, ?) ON CONFLICT (sensor_id, name)"
     " DO UPDATE SET value = value + excluded.value",
     true},
};

int sqlite_store_error(struct sqlite_store *s, char *errbuf, const char *doing)
{
    int code = sqlite3_errcode(s->db);
    const char *why = sqlite3_errmsg(s->db);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return sl_error(errbuf, SL_ERR_IO,
                        "%s: %s: the history is locked by another process "
                        "(waited for it in vain)",
                        s->path, doing);
    if (code == SQLITE_FULL)
        return sl_error(errbuf, SL_ERR_IO, "%s: %s: disk full; nothing of this batch was recorded",
                        s->path, doing);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
        return sl_error(errbuf, SL_ERR_FORMAT, "%s: %s: not a readable scanlens history (%s)",
                        s->path, doing, why);
    if (code == SQLITE_READONLY)
        return sl_error(errbuf, SL_ERR_IO, "%s: %s: the history is read-only here", s->path, doing);
    return sl_error(errbuf, SL_ERR_IO, "%s: %s: %s", s->path, doing, why);
}

int sqlite_store_exec(struct sqlite_store *s, const char *sql, char *errbuf, const char *doing)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? SL_OK
               : sqlite_store_error(s, errbuf, doing);
}

int sqlite_store_prepare(struct sqlite_store *s, sqlite3_stmt **st, const char *sql, char *errbuf)
{
    return sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK
               ? SL_OK
               : sqlite_store_error(s, errbuf, "preparing a statement");
}

void sqlite_store_close(store_t *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        sqlite3_finalize(*(sqlite3_stmt **)((char *)s + kept[i].field));
    sqlite3_close(s->db);
    buffer_free(&s->tools);
    buffer_free(&s->syn_ports);
    buffer_free(&s->udp_ports);
    buffer_free(&s->dsts);
    free(s->rule_to_db);
    free(s->db_tool_to_rule_tool);
    free(s->db_rule_to_rule);
    free(s->time_zone);
    free(s->path);
    free(s);
}

static int schema_version(struct sqlite_store *s, int *version, char *errbuf)
{
    sqlite3_stmt *st;
    *version = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "reading the schema version");
    if (sqlite3_step(st) == SQLITE_ROW) *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return *version < 0 ? sqlite_store_error(s, errbuf, "reading the schema version") : SL_OK;
}

static int migrate(struct sqlite_store *s, const struct store_open_options *opt, char *errbuf)
{
    sqlite3_stmt *st;
    int version;
    if (schema_version(s, &version, errbuf) != SL_OK) return SL_ERR_IO;
    if (version > SCHEMA_VERSION)
        return sl_error(errbuf, SL_ERR_FORMAT,
                        "%s: made by a newer scanlens (schema %d; this one "
                        "reads up to %d)",
                        s->path, version, SCHEMA_VERSION);
    if (version == 0) {
        if (opt->read_only)
            return sl_error(errbuf, SL_ERR_FORMAT, "%s: not a scanlens history", s->path);
        /* refuse to take over a database that holds something else */
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) !=
            SQLITE_OK)
            return sqlite_store_error(s, errbuf, "reading the schema");
        int objects = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
        sqlite3_finalize(st);
        if (objects != 0)
            return sl_error(errbuf, SL_ERR_FORMAT,
                            "%s: an SQLite database that is not a scanlens "
                            "history; not touching it",
                            s->path);
        char sql[256];
        int rc = sqlite_store_exec(s, "BEGIN IMMEDIATE", errbuf, "creating the history");
        /* another process may have created it while this one waited for the lock */
        if (rc == SL_OK && schema_version(s, &version, errbuf) != SL_OK) rc = SL_ERR_IO;
        if (rc == SL_OK && version != 0) {
            sqlite_store_exec(s, "ROLLBACK", errbuf, "creating the history");
            return migrate(s, opt, errbuf);
        }
        if (rc == SL_OK) rc = sqlite_store_exec(s, schema_v1, errbuf, "creating the history");
        sqlite3_snprintf(sizeof sql, sql,
                         "INSERT INTO meta VALUES ('time_zone', %Q);"
                         "PRAGMA user_version = %d;",
                         opt->time_zone ? opt->time_zone : "UTC", SCHEMA_VERSION);
        if (rc == SL_OK) rc = sqlite_store_exec(s, sql, errbuf, "creating the history");
        if (rc == SL_OK) rc = sqlite_store_exec(s, "COMMIT", errbuf, "creating the history");
        if (rc != SL_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'time_zone'", -1, &st,
                           NULL) != SQLITE_OK)
        return sqlite_store_error(s, errbuf, "reading the history's time zone");
    if (sqlite3_step(st) == SQLITE_ROW)
        s->time_zone = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!s->time_zone)
        return sl_error(errbuf, SL_ERR_FORMAT, "%s: the history has no time zone", s->path);
    if (opt->time_zone && strcmp(opt->time_zone, s->time_zone))
        return sl_error(errbuf, SL_ERR_USAGE,
                        "%s: this history counts days in %s, not %s (a history "
                        "keeps one time zone)",
                        s->path, s->time_zone, opt->time_zone);
    return SL_OK;
}

/* Whether SQLite can open the file read-only the normal way: the folder must take the
 * WAL's shared-memory file. */
static bool readable_in_place(const char *location)
{
    char *dir = strdup(location);
    if (!dir) return true;
    char *slash = strrchr(dir, '/');
    const char *folder = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    bool ok = access(folder, W_OK) == 0;
    struct statvfs fs;
    if (ok && statvfs(folder, &fs) == 0 && (fs.f_flag & ST_RDONLY)) ok = false;
    free(dir);
    return ok;
}

int sqlite_store_open(store_t **out, const char *location, const struct store_open_options *opt,
                      char *errbuf)
{
    *out = NULL;
    struct sqlite_store *s = calloc(1, sizeof *s);
    if (!s) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    s->base.ops = &store_sqlite;
    s->path = strdup(location);
    /* No count of SQLite's memory (it takes a global lock at every allocation: 5% of an
     * ingest). Only possible before SQLite starts; later calls fail, harmlessly. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int flags = opt->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX; /* one thread uses a handle: no lock around every call */
    if (opt->read_only && !readable_in_place(location)) {
        /* on read-only media SQLite cannot make the WAL index: read the file as it stands */
        char *uri = sqlite3_mprintf("file:%s?immutable=1", location);
        int rc = uri ? sqlite3_open_v2(uri, &s->db, flags | SQLITE_OPEN_URI, NULL) : SQLITE_NOMEM;
        sqlite3_free(uri);
        if (rc != SQLITE_OK) {
            rc = sl_error(errbuf, SL_ERR_IO, "%s: cannot open the history: %s", location,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
            sqlite_store_close(&s->base);
            return rc;
        }
    } else if (sqlite3_open_v2(location, &s->db, flags, NULL) != SQLITE_OK) {
        int rc = sl_error(errbuf, SL_ERR_IO, "%s: cannot open the history: %s", location,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sqlite_store_close(&s->base);
        return rc;
    }
    /* Another process writing waits its turn this long; SCANLENS_LOCK_TIMEOUT_MS shortens it
     * for tests. */
    const char *wait = getenv("SCANLENS_LOCK_TIMEOUT_MS");
    sqlite3_busy_timeout(s->db, wait ? atoi(wait) : 10000);
    int rc = SL_OK;
    /* A new history gets 16 KiB pages (before its first write; an existing file keeps its
     * own): ingests 7% faster than 4 KiB, reports as fast. Advice only: whatever is wrong
     * with the file, the statements below say it. */
    if (!opt->read_only) sqlite3_exec(s->db, "PRAGMA page_size = 16384", NULL, NULL, NULL);
    /* switching to WAL needs a moment alone with the file, which the busy handler does not
     * always wait for: retry while another process holds it */
    for (int tries = 0; !opt->read_only && tries < 200; tries++) {
        rc = sqlite_store_exec(s, "PRAGMA journal_mode = WAL", errbuf, "opening");
        if (rc == SL_OK || sqlite3_errcode(s->db) != SQLITE_BUSY) break;
        usleep(50000);
    }
    /* Foreign keys are not enforced: with them on, every single-row INSERT or UPDATE of a
     * source-day row copied its 16 KiB page to a statement journal first (in case the check
     * made it roll back), 7 M writes to a temporary file for the bench month, whose ingest
     * took 16.7 s instead of 9.8. The one reference, source_day.sensor_id, only ever takes an
     * id read from the sensor table (sqlite_sensor); tests/run.sh runs SQLite's
     * foreign_key_check on histories it made. */
    if (rc == SL_OK)
        rc = sqlite_store_exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF", errbuf,
                               "opening");
    /* A writer's page cache holds a day's pages from one file to the next (hourly files of
     * the same days: 8% faster to ingest than with the default 2 MiB). */
    if (rc == SL_OK && !opt->read_only)
        rc = sqlite_store_exec(s, "PRAGMA cache_size = -65536", errbuf, "opening");
    if (rc == SL_OK) rc = migrate(s, opt, errbuf);
    for (size_t i = 0; rc == SL_OK && i < sizeof kept / sizeof kept[0]; i++) {
        sqlite3_stmt **st = (sqlite3_stmt **)((char *)s + kept[i].field);
        if (!kept[i].for_writing || !opt->read_only)
            rc = sqlite_store_prepare(s, st, kept[i].sql, errbuf);
    }
    if (rc != SL_OK) {
        sqlite_store_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return SL_OK;
}
