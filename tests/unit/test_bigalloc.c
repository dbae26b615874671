/* Large allocations (util/bigalloc.h): zeroed, and huge pages asked for exactly where the use
 * says so (hash tables, not blocks filled in order). What was asked is read back from the
 * mapping's VmFlags in /proc/self/smaps ("hg": MADV_HUGEPAGE), which does not depend on the
 * system's transparent-huge-page mode. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/bigalloc.h"

/* 1 if the mapping holding p was advised MADV_HUGEPAGE, 0 if not, -1 if smaps says nothing. */
static int advised_huge(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512];
    bool inside = false;
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p >= start && (uintptr_t)p < end;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            found = strstr(line, " hg") != NULL;
        }
    }
    fclose(f);
    return found;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 4096)
        if (p[i] || p[n - 1 - i]) return false;
    return true;
}

int main(void)
{
    const size_t four_mib = 4u << 20;
    unsigned char *table = big_calloc(four_mib, BIG_RANDOM);
    unsigned char *block = big_calloc(four_mib, BIG_FILLED);
    unsigned char *small = big_calloc(64u << 10, BIG_RANDOM);
    CHECK("big_calloc gives memory", table && block && small);
    if (!table || !block || !small) CHECK_DONE();
    CHECK("big_calloc's memory is zeroed", all_zero(table, four_mib) && all_zero(block, four_mib));
    CHECK("a hash table (BIG_RANDOM) is advised huge pages", advised_huge(table) == 1);
    CHECK("a block filled in order (BIG_FILLED) is not", advised_huge(block) == 0);
    CHECK("less than a huge page is not advised", advised_huge(small) == 0);
    big_free(table, four_mib);
    big_free(block, four_mib);
    big_free(small, 64u << 10);

    struct big_ahead ahead;
    CHECK("big_ahead_start", big_ahead_start(&ahead, four_mib, BIG_FILLED));
    unsigned char *taken = big_ahead_take(&ahead);
    CHECK("what big_ahead_take hands over is zeroed and not advised huge pages",
          taken && all_zero(taken, four_mib) && advised_huge(taken) == 0);
    CHECK("big_ahead_take empties the big_ahead", ahead.p == NULL);
    big_free(taken, four_mib);
    CHECK("big_ahead_start of a table", big_ahead_start(&ahead, four_mib, BIG_RANDOM));
    CHECK("its memory is advised huge pages", advised_huge(ahead.p) == 1);
    big_ahead_cancel(&ahead);
    CHECK("big_ahead_cancel empties it", ahead.p == NULL);
    CHECK_DONE();
}
