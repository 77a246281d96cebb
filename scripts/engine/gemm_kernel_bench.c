// Kernel-level GEMM throughput, int8 (rk_gemm_q8 as Linear.apply slices it on one thread) vs
// OpenBLAS f32 sgemm on the dequantized weights, in thread CPU time (stable while others load the
// machine), plus a bit-exactness check of every output row against rk_vec_dot_q8.
// Usage: see gemm_kernel_bench.sh. Env: SL = row slices (default 1), PK = pack activations once per
// call when the kernels have rk_gemm_q8_pack, NOF = int8 only, NT = check only (no timing).
#include "rk_kernels.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
void openblas_set_num_threads(int);
static uint64_t s = 88172645463325252ull;
static uint64_t nx(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint16_t f2h(float f) { _Float16 h = (_Float16)f; uint16_t u; memcpy(&u, &h, 2); return u; }
static int SL = 1;
__attribute__((weak)) size_t rk_gemm_q8_pack_bytes(int64_t n, int64_t nb);
__attribute__((weak)) void rk_gemm_q8_pack(const int8_t *aq, const float *ad, const float *as, int64_t n, int64_t nb, void *packed);
__attribute__((weak)) void rk_gemm_q8_packed(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                       const void *packed, int64_t n, float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate);
static void gemm(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as, int64_t n, float *y, int64_t ys, int64_t r0, int64_t r1, int acc) {
    static void *pk = 0; if (getenv("PK") && rk_gemm_q8_pack && !pk) pk = aligned_alloc(64, rk_gemm_q8_pack_bytes(n, nb) + 64);
    if (pk) { rk_gemm_q8_pack(aq, ad, as, n, nb, pk);
      for (int k = 0; k < SL; k++) { int64_t lo = r1 * k / SL & ~3, hi = k == SL - 1 ? r1 : r1 * (k + 1) / SL & ~3; rk_gemm_q8_packed(type, w, nb, aq, ad, as, pk, n, y + lo, ys, lo, hi, acc); }
      return; }
    for (int k = 0; k < SL; k++) { int64_t lo = r1 * k / SL & ~3, hi = k == SL - 1 ? r1 : r1 * (k + 1) / SL & ~3; rk_gemm_q8(type, w, nb, aq, ad, as, n, y + lo, ys, lo, hi, acc); }
}
int main(int argc, char **argv) {
    if (getenv("SL")) SL = atoi(getenv("SL"));
    int type = atoi(argv[1]); int rows = atoi(argv[2]), cols = atoi(argv[3]), n = atoi(argv[4]);
    int check = argc > 5 ? atoi(argv[5]) : 1;
    int64_t nb = cols / 32, bb = type == 3 ? 20 : type == 2 ? 18 : type == 1007 ? 36 : 34;
    uint8_t *w = malloc(rows * nb * bb);
    for (int64_t i = 0; i < rows * nb; i++) {
        uint8_t *b = w + i * bb;
        for (int j = 0; j < bb; j++) b[j] = nx();
        uint16_t h = f2h(0.001f + 0.01f * (nx() % 1000) / 1000.f); memcpy(b, &h, 2);
        if (type == 3 || type == 1007) { h = f2h(-0.4f + 0.5f * (nx() % 1000) / 1000.f); memcpy(b + 2, &h, 2); }
        if (type == 1007) for (int j = 4; j < 36; j++) b[j] &= 127;  // Q7_1: unsigned 0..127
    }
    float *x = malloc(sizeof(float) * n * cols);
    for (int64_t i = 0; i < (int64_t)n * cols; i++) x[i] = ((int)(nx() % 2001) - 1000) / 500.f;
    int8_t *aq = malloc(n * cols); float *ad = malloc(4 * n * nb), *as = malloc(4 * n * nb);
    rk_quantize_q8(x, (int64_t)n * cols, aq, ad, as);
    float *y = calloc((size_t)n * rows, 4), *y1 = calloc(rows, 4);
    double mac = (double)rows * cols * n;
    int reps = getenv("NT") ? 0 : (int)((getenv("MACS") ? atof(getenv("MACS")) : 3e9) / mac) + 1;
    gemm(type, w, nb, aq, ad, as, n, y, rows, 0, rows, 0);
    double best = 1e9;
    for (int k = 0; k < 3; k++) { double t0 = now(); for (int r = 0; r < reps; r++) gemm(type, w, nb, aq, ad, as, n, y, rows, 0, rows, 0); double t = (now() - t0) / reps; if (t < best) best = t; }
    int bad = 0;
    if (check) for (int i = 0; i < n; i++) {
        rk_vec_dot_q8(type, w, nb, aq + (int64_t)i * cols, ad + i * nb, as + i * nb, y1, 0, rows, 0);
        if (memcmp(y1, y + (int64_t)i * rows, 4 * rows)) bad++;
    }
    if (getenv("NOF")) { printf("type %d %5dx%-5d n=%-5d int8 %6.1f %s\n", type, rows, cols, n, mac / best / 1e9, bad ? "MISMATCH" : "exact"); return bad; }
    float *wf = malloc(sizeof(float) * rows * cols);
    rk_dequantize_rows(type, w, nb, wf, 0, rows);
    openblas_set_num_threads(1);
    float *yf = malloc(sizeof(float) * n * rows);
    double bestf = 1e9;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, rows, cols, 1, x, cols, wf, cols, 0, yf, rows);
    for (int k = 0; k < 3; k++) { double t0 = now(); for (int r = 0; r < reps; r++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, rows, cols, 1, x, cols, wf, cols, 0, yf, rows); double t = (now() - t0) / reps; if (t < bestf) bestf = t; }
    printf("type %d %5dx%-5d n=%-5d int8 %6.1f GMAC/s  f32 %6.1f  ratio %.2f  %s\n", type, rows, cols, n, mac / best / 1e9, mac / bestf / 1e9, bestf / best, bad ? "MISMATCH" : "exact");
    return bad != 0;
}
