/* CSV fields for the large report files (see csv_out.h). */
#include "csv_out.h"

#include <string.h>

static void put_digits(FILE *out, uint64_t v)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        putc_unlocked(digits[--n], out);
}

void csv_put_number(FILE *out, uint64_t v)
{
    put_digits(out, v);
    putc_unlocked(',', out);
}

void csv_put_last_number(FILE *out, uint64_t v)
{
    put_digits(out, v);
    putc_unlocked('\n', out);
}

void csv_put_last_hundredths(FILE *out, uint64_t hundredths)
{
    put_digits(out, hundredths / 100);
    putc_unlocked('.', out);
    putc_unlocked((char)('0' + hundredths / 10 % 10), out);
    putc_unlocked((char)('0' + hundredths % 10), out);
    putc_unlocked('\n', out);
}

void csv_put_field(FILE *out, const char *s)
{
    fputs_unlocked(s, out);
    putc_unlocked(',', out);
}

void csv_put_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs_unlocked(s, out);
        return;
    }
    putc_unlocked('"', out);
    for (; *s; s++) {
        if (*s == '"') putc_unlocked('"', out);
        putc_unlocked(*s, out);
    }
    putc_unlocked('"', out);
}
