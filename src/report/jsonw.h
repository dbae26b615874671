/* Writing JSON text: string escaping and number formatting shared by the JSON writers. */
#ifndef SCANLENS_JSONW_H
#define SCANLENS_JSONW_H

#include <stdio.h>

/* Writes s as a JSON string literal, quotes included. */
void json_string(FILE *f, const char *s);
/* Writes a finite double with up to 6 significant decimals, or null. */
void json_number(FILE *f, double v);

#endif
