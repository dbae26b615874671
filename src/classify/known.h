/* Known scanners: a user's list of prefixes with the organisation behind them and a label
 * (research, benign, malicious), applied to sources after the fact.
 * File format, one entry a line, '#' comments:  CIDR,organisation,label */
#ifndef SCANLENS_KNOWN_H
#define SCANLENS_KNOWN_H

#include <stddef.h>

#include "netset.h"

typedef struct known_list known_list_t;

/* Loads the file; every bad line is reported in errbuf's text as "file:line: ..." (first one)
 * and the count returned; 0 means loaded. */
int known_list_load(known_list_t **out, const char *path, char *errbuf);
void known_list_free(known_list_t *list);
/* Index of the most specific entry containing addr, or -1. */
int known_list_find(const known_list_t *list, const struct ipaddr *addr);
const char *known_list_org(const known_list_t *list, int entry);
const char *known_list_label(const known_list_t *list, int entry);
size_t known_list_count(const known_list_t *list);

#endif
