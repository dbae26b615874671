/* Error codes and the caller-owned message buffer every fallible function fills, in the
 * manner of libpcap's errbuf: nothing below main() prints and exits on its own. */
#ifndef SCANLENS_ERROR_H
#define SCANLENS_ERROR_H

#include <stddef.h>

#define SL_ERRBUF_SIZE 512

enum sl_status {
    SL_OK = 0,
    SL_ERR_IO = -1,     /* the system said no: open, read, write, mmap */
    SL_ERR_FORMAT = -2, /* the data is not what it claims to be */
    SL_ERR_NOMEM = -3,
    SL_ERR_USAGE = -4, /* a bad option value or rule */
    SL_ERR_UNSUPPORTED = -5,
};

/* Formats the message into errbuf (SL_ERRBUF_SIZE bytes) and returns code. */
int sl_error(char *errbuf, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
