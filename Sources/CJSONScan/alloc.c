// A streaming run allocates the same few megabytes (line buffers, parsed fields, output) batch
// after batch on worker threads. With glibc's defaults each worker arena gives the memory back
// when a batch is freed and grows again page by page for the next: about 6,000 mprotect calls and
// a fresh page fault for every page of every batch on 50 MB of input. Fixed thresholds keep the
// pages and let later batches reuse them. (Swift cannot see mallopt: malloc.h is not in Glibc.)
#include "rk_alloc.h"
#include <stdlib.h>  // defines __GLIBC__ (through features.h) on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void tune(void) {
    // Never give freed heap memory back while the process runs (it is short-lived).
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    // Grow the main heap in large steps.
    mallopt(M_TOP_PAD, 64 << 20);
    // Buffers up to 32 MB (the largest a heap may serve) come from the heaps, not fresh mmaps.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

void rk_keep_freed_memory(void) { pthread_once(&once, tune); }
#else
void rk_keep_freed_memory(void) {}
#endif
