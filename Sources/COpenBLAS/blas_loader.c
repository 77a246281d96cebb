// OpenBLAS loaded on first use instead of linked (issue 15). Only the libopenblas.so.0 ABI is assumed:
// 32-bit integers (Debian's libopenblas0 is not ILP64) and the CBLAS enum values below, so no cblas.h is
// needed at build time.
#include "rk_blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*shutdown_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
// Written only inside `once`; pthread_once orders those writes before every later reader.
static sgemm_fn sgemm;
static sgemv_fn sgemv;
static char error[640];

static void load(void) {
    const char *lib = "libopenblas.so.0";
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(error, sizeof error,
                 "OpenBLAS (%s) could not be loaded: %s; the embedded engine needs it: "
                 "install the Debian package libopenblas0 (apt-get install libopenblas0)", lib, dlerror());
        return;
    }
    sgemm_fn g = (sgemm_fn)dlsym(h, "cblas_sgemm");
    sgemv_fn v = (sgemv_fn)dlsym(h, "cblas_sgemv");
    set_threads_fn threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    if (!g || !v || !threads) {
        snprintf(error, sizeof error,
                 "%s has no cblas_sgemm/cblas_sgemv/openblas_set_num_threads: it is not OpenBLAS; "
                 "install the Debian package libopenblas0", lib);
        return;
    }
    // The engine splits rows over its own workers, each calling single-threaded BLAS.
    threads(1);
    // The constructor already started the worker threads, which busy-wait (sched_yield) for ~0.1 s before
    // sleeping; end them, as OpenBLAS's fork handler does. With 1 thread no call restarts them, and no BLAS
    // call can be running here (every caller waits on `once`).
    shutdown_fn shutdown = (shutdown_fn)dlsym(h, "blas_thread_shutdown_");
    if (shutdown) shutdown();
    sgemv = v;
    sgemm = g;
}

const char *rk_blas_load(void) {
    pthread_once(&once, load);
    return sgemm ? NULL : error;
}

static void require(void) {
    const char *e = rk_blas_load();
    if (e) {
        fprintf(stderr, "rewardkit: %s\n", e);
        abort();
    }
}

void rk_blas_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                   const float *b, int ldb, float beta, float *c, int ldc) {
    require();
    sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
          m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void rk_blas_sgemv(int m, int n, float alpha, const float *a, int lda, const float *x, int incx, float beta,
                   float *y, int incy) {
    require();
    sgemv(CblasRowMajor, CblasNoTrans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
