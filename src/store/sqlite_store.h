/* Inside the SQLite history (store/sqlite_*.c): the handle, and opening, closing and the
 * error-reporting helpers its parts share. Not for use outside store/. */
#ifndef SCANLENS_SQLITE_STORE_H
#define SCANLENS_SQLITE_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "../classify/fprules.h"
#include "record_codec.h"
#include "store.h"

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    char *time_zone;
    char *path;
    /* kept prepared while the handle is open (sqlite_open.c: kept[]) */
    sqlite3_stmt *get_row, *put_row, *update_row, *add_probed, *add_counter, *day_has_rows;
    struct byte_buffer tools, syn_ports, udp_ports, dsts;
    /* name mappings between today's rules and the store's tool and rule tables */
    uint16_t tool_to_db[FP_MAX_TOOLS];
    uint16_t *rule_to_db;
    size_t n_rule_map;
    int *db_tool_to_rule_tool, *db_rule_to_rule;
    size_t n_db_tools, n_db_rules;
};

/* An error message for what failed while `doing`, from SQLite's error code (a lock held too
 * long, a full disk, a file that is not a history, ...), naming the history; the code. */
int sqlite_store_error(struct sqlite_store *s, char *errbuf, const char *doing);
/* Runs SQL (statements without results); SL_OK or sqlite_store_error's. */
int sqlite_store_exec(struct sqlite_store *s, const char *sql, char *errbuf, const char *doing);
/* Prepares a statement kept for the life of the handle. */
int sqlite_store_prepare(struct sqlite_store *s, sqlite3_stmt **st, const char *sql, char *errbuf);
/* Opens (and creates or migrates) the history at location; the store_ops open and close. */
int sqlite_store_open(store_t **out, const char *location, const struct store_open_options *opt,
                      char *errbuf);
void sqlite_store_close(store_t *base);

#endif
