/* What this machine allows, for reading bench/RESULTS.md: the bare walk over a capture's
 * records that no reader can beat (the ceiling), and what memory costs the first time
 * a process touches it. On the VMs these figures come from, a fresh page costs far more than
 * the counting done in it (the host backs guest memory on first touch), which is why the
 * aggregate's size shows up in its speed.
 *
 *   machine walk FILE     seconds to map FILE and step over its pcap records
 *   machine memory MIB    GB/s of a first touch of MIB fresh MiB, and of touching them again
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Steps over the records of a little-endian pcap file, reading each header and the first
 * byte of each packet, as any reader must, and gives back the pages read, so that its
 * resident memory stays small, as scanlens's (which reads through a 1 MiB buffer) does. */
static int walk(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24) {
        fprintf(stderr, "machine: %s: cannot open as a capture\n", path);
        return 1;
    }
    double start = now();
    size_t len = (size_t)st.st_size;
    const uint8_t *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("machine: mmap");
        return 1;
    }
    madvise((void *)map, len, MADV_SEQUENTIAL);
    uint64_t records = 0, sum = 0;
    const size_t release_every = 8u << 20;
    size_t released = 0;
    for (size_t at = 24; at + 16 <= len;) {
        if (at - released >= 2 * release_every) {
            madvise((void *)(map + released), release_every, MADV_DONTNEED);
            released += release_every;
        }
        uint32_t caplen;
        memcpy(&caplen, map + at + 8, 4);
        if (caplen && at + 16 < len) sum += map[at + 16];
        at += 16 + (size_t)caplen;
        records++;
    }
    double took = now() - start;
    munmap((void *)map, len);
    close(fd);
    printf("walk %.3f s %llu records (%llu)\n", took, (unsigned long long)records,
           (unsigned long long)(sum & 1));
    return 0;
}

/* Seconds to fault in `bytes` of fresh anonymous memory, on huge pages or not; with `again`,
 * also the seconds to write it all once more. */
static double first_touch(size_t bytes, bool huge, double *again)
{
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    /* as scanlens asks for its hash tables and not for its blocks of records (util/bigalloc.c) */
    if (huge) madvise(p, bytes, MADV_HUGEPAGE);
    double start = now();
    for (size_t i = 0; i < bytes; i += 4096)
        p[i] = 1;
    double first = now() - start;
    if (again) {
        start = now();
        memset(p, 2, bytes);
        *again = now() - start;
    }
    munmap(p, bytes);
    return first;
}

static int memory(size_t mib)
{
    size_t bytes = mib << 20;
    double again;
    double small = first_touch(bytes, false, NULL);
    sleep(5); /* for the host to take back what the first measure freed */
    double huge = first_touch(bytes, true, &again);
    if (small < 0 || huge < 0) {
        perror("machine: mmap");
        return 1;
    }
    printf("first touch %.2f GB/s with 4 KiB pages, %.2f GB/s with huge pages, touched again "
           "%.2f GB/s (%zu MiB)\n",
           (double)bytes / small / 1e9, (double)bytes / huge / 1e9, (double)bytes / again / 1e9,
           mib);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "walk") == 0) return walk(argv[2]);
    if (argc == 3 && strcmp(argv[1], "memory") == 0 && atoi(argv[2]) > 0)
        return memory((size_t)atoi(argv[2]));
    fprintf(stderr, "usage: machine walk FILE | machine memory MIB\n");
    return 2;
}
