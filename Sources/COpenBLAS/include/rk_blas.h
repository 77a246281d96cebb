#ifndef RK_BLAS_H
#define RK_BLAS_H

/// The few OpenBLAS entry points the engine uses, resolved with dlopen/dlsym on first use (issue 15):
/// linking libopenblas made every process (also `--version`, `score`) run its constructor and start its
/// spinning worker threads, and load libgfortran/libquadmath. Row-major, single-threaded, CBLAS semantics.

/// Loads OpenBLAS once (thread-safe) and sets it to 1 thread. Returns NULL when it is usable, else a message
/// naming the library and the Debian package that provides it.
const char *_Nullable rk_blas_load(void);

/// C = alpha · op(A) · op(B) + beta · C (cblas_sgemm, row-major). A trans flag != 0 means transposed.
/// Loads OpenBLAS when needed; if it cannot be loaded, prints the message of `rk_blas_load` and aborts
/// (callers that can report an error call `rk_blas_load` first).
void rk_blas_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                   const float *_Nonnull a, int lda, const float *_Nonnull b, int ldb,
                   float beta, float *_Nonnull c, int ldc);

/// y = alpha · A · x + beta · y for row-major A (m × n) (cblas_sgemv, no transpose).
void rk_blas_sgemv(int m, int n, float alpha, const float *_Nonnull a, int lda,
                   const float *_Nonnull x, int incx, float beta, float *_Nonnull y, int incy);

#endif
