/* Formatting of error messages into caller-owned buffers. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int sl_error(char *errbuf, int code, const char *fmt, ...)
{
    if (errbuf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, SL_ERRBUF_SIZE, fmt, ap);
        va_end(ap);
    }
    return code;
}
