/* CSV fields written with stdio's unlocked calls, not fprintf: for the million rows of a
 * month's sources.csv or ports.csv, parsing a format string per row cost more than the rest
 * of writing them. Each writer ends its field with a comma unless it says otherwise. */
#ifndef SCANLENS_CSV_OUT_H
#define SCANLENS_CSV_OUT_H

#include <stdint.h>
#include <stdio.h>

/* A decimal number, then a comma. */
void csv_put_number(FILE *out, uint64_t v);
/* A decimal number, then the end of the row. */
void csv_put_last_number(FILE *out, uint64_t v);
/* hundredths / 100 with two decimals ("12.05"), then the end of the row. */
void csv_put_last_hundredths(FILE *out, uint64_t hundredths);
/* Text that needs no quoting (a name scanlens chose, an address, a date), then a comma. */
void csv_put_field(FILE *out, const char *s);
/* Text that may hold commas or quotes (an organisation's name), RFC 4180 quoted when it
 * must be; no comma after it. */
void csv_put_text(FILE *out, const char *s);

#endif
