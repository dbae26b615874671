/* A minimal test harness: each check prints "ok NAME" or "FAIL NAME (file:line)"; tests/run.sh
 * counts the lines. The exit status is non-zero when any check failed. */
#ifndef SCANLENS_CHECK_H
#define SCANLENS_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(name, cond)                                                                          \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("ok %s\n", name);                                                               \
        } else {                                                                                   \
            printf("FAIL %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond);                      \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_DONE() return check_failures ? 1 : 0

#endif
