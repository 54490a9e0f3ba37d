// round-trip-shim: where a sequential client's round trip goes, measured the same way for any
// client. Loaded with LD_PRELOAD, it wraps read, write and epoll_wait and splits each request's
// round trip into the client's own part and the part it waits for:
//
//   turn   from a read that returned response bytes to the next write starting: the client's
//          work between a response and its next request (parse, bookkeeping, encode, and any
//          system calls it makes in between, such as wrk's epoll_ctl and second epoll_wait)
//   write  the write system call itself (on loopback it also runs the receiving side's TCP)
//   wait   from the write starting to the next read that returns bytes: the server's work, the
//          wake-ups on both sides and the client's epoll_wait and read
//   after  from the write returning to the next epoll_wait starting: what the client does while
//          the server works (free, as long as it ends before the answer comes)
//
// A request's round trip is turn + wait. At exit it prints one line per measure to stderr:
// the number of samples, their 10th, 50th, 90th and 99th percentiles and their mean, in
// microseconds. The first
// 1,000 samples (start-up, the first connection) are left out.
//
//   cc -O2 -shared -fPIC -o round-trip-shim.so round-trip-shim.c -ldl
//   LD_PRELOAD=./round-trip-shim.so wrk -t1 -c1 -d3s http://127.0.0.1:8080/
//
// Only descriptors above 2 count (not stdin, stdout, stderr), and only one thread's requests make
// sense (a sequential client: wrk -t1 -c1, `wirelab bench --sequential`, floor-client). The clock is
// the x86 time-stamp counter where there is one (a few cycles to read; converted to time against
// CLOCK_MONOTONIC over the whole run), else CLOCK_MONOTONIC itself.
#define _GNU_SOURCE   // RTLD_NEXT
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t ticks(void) { return __rdtsc(); }
#else
static inline uint64_t ticks(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
#endif

enum { capacity = 4000000, skipped = 1000 };

struct series {
    const char *name;
    uint32_t *samples;
    long count;
};

static struct series turn = {"turn"}, write_call = {"write"}, wait_for = {"wait"}, after = {"after"};

static ssize_t (*next_read)(int, void *, size_t);
static ssize_t (*next_write)(int, const void *, size_t);
static int (*next_epoll_wait)(int, struct epoll_event *, int, int);

// The moments the next sample is measured from; 0 while there is none.
static uint64_t response_read_at, write_started_at, write_returned_at;

static uint64_t start_ticks;
static struct timespec start_time;

static void add(struct series *series, uint64_t from, uint64_t to) {
    if (series->samples && series->count < capacity) series->samples[series->count++] = (uint32_t)(to - from);
}

__attribute__((constructor)) static void load(void) {
    next_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    next_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    next_epoll_wait = (int (*)(int, struct epoll_event *, int, int))dlsym(RTLD_NEXT, "epoll_wait");
    struct series *all[] = {&turn, &write_call, &wait_for, &after};
    for (int i = 0; i < 4; i++) all[i]->samples = malloc(sizeof(uint32_t) * capacity);
    clock_gettime(CLOCK_MONOTONIC, &start_time);
    start_ticks = ticks();
}

static int ascending(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void report(struct series *series, double ns_per_tick) {
    long n = series->count - skipped;
    if (n < 100) {
        fprintf(stderr, "round-trip %-6s too few samples (%ld)\n", series->name, series->count);
        return;
    }
    uint32_t *kept = series->samples + skipped;
    qsort(kept, (size_t)n, sizeof *kept, ascending);
    double us = ns_per_tick / 1000, sum = 0;
    for (long i = 0; i < n; i++) sum += kept[i];
    fprintf(stderr, "round-trip %-6s n=%ld p10=%.2f p50=%.2f p90=%.2f p99=%.2f mean=%.2f us\n", series->name, n,
            kept[n / 10] * us, kept[n / 2] * us, kept[n * 9 / 10] * us, kept[n * 99 / 100] * us, sum / n * us);
}

__attribute__((destructor)) static void unload(void) {
    struct timespec end_time;
    clock_gettime(CLOCK_MONOTONIC, &end_time);
    uint64_t elapsed_ticks = ticks() - start_ticks;
    double elapsed_ns = (double)(end_time.tv_sec - start_time.tv_sec) * 1e9 + (double)(end_time.tv_nsec - start_time.tv_nsec);
    double ns_per_tick = elapsed_ticks ? elapsed_ns / (double)elapsed_ticks : 1;
    report(&turn, ns_per_tick);
    report(&write_call, ns_per_tick);
    report(&wait_for, ns_per_tick);
    report(&after, ns_per_tick);
}

ssize_t read(int fd, void *buffer, size_t size) {
    ssize_t n = next_read(fd, buffer, size);
    if (n > 0 && fd > 2) {
        uint64_t now = ticks();
        if (write_started_at) add(&wait_for, write_started_at, now);
        write_started_at = 0;
        response_read_at = now;
    }
    return n;
}

ssize_t write(int fd, const void *bytes, size_t size) {
    if (fd <= 2) return next_write(fd, bytes, size);
    uint64_t started = ticks();
    if (response_read_at) add(&turn, response_read_at, started);
    response_read_at = 0;
    ssize_t n = next_write(fd, bytes, size);
    uint64_t returned = ticks();
    add(&write_call, started, returned);
    write_started_at = started;
    write_returned_at = returned;
    return n;
}

int epoll_wait(int poller, struct epoll_event *events, int capacity_, int timeout_ms) {
    if (write_returned_at) add(&after, write_returned_at, ticks());
    write_returned_at = 0;
    return next_epoll_wait(poller, events, capacity_, timeout_ms);
}
