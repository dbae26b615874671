/* What became of one input file: its format, how many frames it gave, and the error that
 * stopped it, if any. Reports list these so every figure can be traced to its inputs. */
#ifndef SCANLENS_FILE_RESULT_H
#define SCANLENS_FILE_RESULT_H

#include <stdint.h>

#include "../util/error.h"

struct file_result {
    const char *path;
    const char *format, *compression;
    uint64_t frames, filtered_out;
    int status; /* SL_OK, or the error that stopped reading this file */
    char message[SL_ERRBUF_SIZE];
};

#endif
