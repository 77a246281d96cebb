// Quantized dot products, dequantization and decode attention for RewardKit's engine.
// Each entry point has a portable C body and, on x86-64, an AVX2+FMA+F16C body selected once at run
// time (function-level target attributes: the rest of the binary stays at the x86-64 baseline).
// Weights are read in place from the GGUF blocks (f16 scales), so decode needs no repacked copy.
#include "rk_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define RK_X86 1
#else
#define RK_X86 0
#endif

// ---------------------------------------------------------------- half precision (portable)

static inline float fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t em = h & 0x7fff;
    uint32_t bits;
    if (em >= 0x7c00) {
        bits = sign | 0x7f800000u | ((em & 0x3ffu) << 13);
    } else if (em >= 0x0400) {
        bits = sign | ((em << 13) + 0x38000000u);
    } else {
        float f = (float)em * 5.9604644775390625e-8f;  // subnormal: em · 2^-24
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// Round to nearest even, as the hardware conversion does.
static inline uint16_t fp32_to_fp16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);
    if (ax >= 0x477ff000u) return sign | 0x7c00;  // ≥ 65520 rounds to infinity
    if (ax < 0x38800000u) {                       // below 2^-14: subnormal half (or zero)
        float af;
        memcpy(&af, &ax, 4);
        af += 0.5f;  // the FPU rounds to the half's subnormal ulp (2^-24)
        uint32_t r;
        memcpy(&r, &af, 4);
        return sign | (uint16_t)(r - 0x3f000000u);
    }
    ax += 0xc8000fffu + ((ax >> 13) & 1);  // rebias exponent (−112) and round half to even
    return sign | (uint16_t)(ax >> 13);
}

static inline float half_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return fp16_to_fp32(h);
}

static inline float round_to_half(float f) { return fp16_to_fp32(fp32_to_fp16(f)); }

// ---------------------------------------------------------------- dispatch

static int g_forced_portable = 0;

#if RK_X86
static int detect_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}
#endif

int rk_kernels_avx2(void) {
#if RK_X86
    static int cached = -1;
    if (cached < 0) cached = detect_avx2();
    return cached && !g_forced_portable;
#else
    return 0;
#endif
}

void rk_kernels_force_portable(int on) { g_forced_portable = on; }

// ---------------------------------------------------------------- activation quantization

static void quantize_q8_portable(const float *x, int64_t n, int8_t *qs, float *d, float *s) {
    for (int64_t b = 0; b < n / 32; b++) {
        const float *src = x + 32 * b;
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            float a = fabsf(src[j]);
            if (a > amax) amax = a;
        }
        float dd = amax / 127.0f;
        float id = amax != 0 ? 127.0f / amax : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int)nearbyintf(src[j] * id);
            qs[32 * b + j] = (int8_t)q;
            sum += q;
        }
        d[b] = round_to_half(dd);
        s[b] = round_to_half(dd * (float)sum);
    }
}

#if RK_X86
__attribute__((target("avx2,fma,f16c")))
static void quantize_q8_avx2(const float *x, int64_t n, int8_t *qs, float *d, float *s) {
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < n / 32; b++) {
        const float *src = x + 32 * b;
        __m256 v0 = _mm256_loadu_ps(src), v1 = _mm256_loadu_ps(src + 8);
        __m256 v2 = _mm256_loadu_ps(src + 16), v3 = _mm256_loadu_ps(src + 24);
        __m256 m = _mm256_andnot_ps(signBit, v0);
        m = _mm256_max_ps(m, _mm256_andnot_ps(signBit, v1));
        m = _mm256_max_ps(m, _mm256_andnot_ps(signBit, v2));
        m = _mm256_max_ps(m, _mm256_andnot_ps(signBit, v3));
        __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float amax = _mm_cvtss_f32(m4);
        float dd = amax / 127.0f;
        __m256 id = _mm256_set1_ps(amax != 0 ? 127.0f / amax : 0.0f);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i sum = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i s4 = _mm_add_epi32(_mm256_extracti128_si256(sum, 1), _mm256_castsi256_si128(sum));
        s4 = _mm_hadd_epi32(s4, s4);
        s4 = _mm_hadd_epi32(s4, s4);
        int isum = _mm_cvtsi128_si32(s4);
        // Pack 32 int32 → 32 int8 in order (packs work per 128-bit lane; fix the lane order at the end).
        __m256i p01 = _mm256_packs_epi32(i0, i1);
        __m256i p23 = _mm256_packs_epi32(i2, i3);
        __m256i p = _mm256_packs_epi16(p01, p23);
        p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(qs + 32 * b), p);
        d[b] = _cvtsh_ss(_cvtss_sh(dd, 0));
        s[b] = _cvtsh_ss(_cvtss_sh(dd * (float)isum, 0));
    }
}
#endif

void rk_quantize_q8(const float *x, int64_t n, int8_t *qs, float *d, float *s) {
#if RK_X86
    if (rk_kernels_avx2()) { quantize_q8_avx2(x, n, qs, d, s); return; }
#endif
    quantize_q8_portable(x, n, qs, d, s);
}

// ---------------------------------------------------------------- dot products (portable)

static inline int64_t block_bytes(int type) { return type == RK_TYPE_Q4_1 ? 20 : type == RK_TYPE_Q4_0 ? 18 : 34; }

static float dot_row_portable(int type, const uint8_t *row, int64_t nb, const int8_t *aq, const float *ad, const float *as) {
    float acc = 0;
    for (int64_t b = 0; b < nb; b++) {
        const int8_t *a = aq + 32 * b;
        int isum = 0;
        if (type == RK_TYPE_Q8_0) {
            const uint8_t *blk = row + 34 * b;
            const int8_t *q = (const int8_t *)(blk + 2);
            for (int j = 0; j < 32; j++) isum += q[j] * a[j];
            acc += half_at(blk) * ad[b] * (float)isum;
        } else if (type == RK_TYPE_Q4_1) {
            const uint8_t *blk = row + 20 * b;
            const uint8_t *q = blk + 4;
            for (int j = 0; j < 16; j++) isum += (q[j] & 0x0f) * a[j] + (q[j] >> 4) * a[j + 16];
            acc += half_at(blk) * ad[b] * (float)isum + half_at(blk + 2) * as[b];
        } else {
            const uint8_t *blk = row + 18 * b;
            const uint8_t *q = blk + 2;
            for (int j = 0; j < 16; j++) isum += ((q[j] & 0x0f) - 8) * a[j] + ((q[j] >> 4) - 8) * a[j + 16];
            acc += half_at(blk) * ad[b] * (float)isum;
        }
    }
    return acc;
}

// ---------------------------------------------------------------- dot products (AVX2)

#if RK_X86
__attribute__((target("avx2,fma,f16c")))
static inline float hsum8(__m256 v) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// 16 packed bytes → 32 nibbles in element order (low nibbles are elements 0–15, high 16–31).
__attribute__((target("avx2,fma,f16c")))
static inline __m256i nibbles(const uint8_t *p) {
    __m128i q = _mm_loadu_si128((const __m128i *)p);
    __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

// Σ x_j·y_j over 32 signed bytes as 8 int32 lanes, converted to float.
__attribute__((target("avx2,fma,f16c")))
static inline __m256 dot_i8(__m256i x, __m256i y) {
    __m256i ax = _mm256_sign_epi8(x, x);
    __m256i sy = _mm256_sign_epi8(y, x);
    __m256i p16 = _mm256_maddubs_epi16(ax, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(p16, _mm256_set1_epi16(1)));
}

// Unsigned 4-bit × signed 8-bit (no sign trick needed: maddubs takes unsigned × signed).
__attribute__((target("avx2,fma,f16c")))
static inline __m256 dot_u4(__m256i q, __m256i a) {
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(q, a), _mm256_set1_epi16(1)));
}

// One weight block of a row: acc += (d_w·d_a)·Σ q·a; Q4_1 also adds its offset term m·s to *summ.
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void block_fma(int type, const uint8_t *blk, __m256i a, float adb, float asb, __m256 *acc, float *summ) {
    if (type == RK_TYPE_Q4_1) {
        uint32_t dm;
        memcpy(&dm, blk, 4);
        __m128 dmf = _mm_cvtph_ps(_mm_cvtsi32_si128((int)dm));  // [d, m]
        *summ += _mm_cvtss_f32(_mm_movehdup_ps(dmf)) * asb;
        *acc = _mm256_fmadd_ps(_mm256_set1_ps(_mm_cvtss_f32(dmf) * adb), dot_u4(nibbles(blk + 4), a), *acc);
    } else {
        uint16_t dh;
        memcpy(&dh, blk, 2);
        __m256i q = type == RK_TYPE_Q8_0 ? _mm256_loadu_si256((const __m256i *)(blk + 2))
                                         : _mm256_sub_epi8(nibbles(blk + 2), _mm256_set1_epi8(8));
        *acc = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(dh) * adb), dot_i8(q, a), *acc);
    }
}

// Up to four rows at a time: the activation block is loaded once and the FMA chains are independent.
#define RK_ROWS 4

// Rows r … r+n−1 (n ≤ RK_ROWS) into y[0 … n−1]. The weights two row-groups ahead are prefetched: the
// hardware prefetcher alone left decode 40 % slower.
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void dot_group(int type, const uint8_t *w, int64_t rowBytes, int64_t nb, const int8_t *aq, const float *ad,
                             const float *as, float *y, int64_t r, int n, int accumulate) {
    const int64_t bb = block_bytes(type);
    __m256 acc[RK_ROWS];
    float summ[RK_ROWS];
    for (int k = 0; k < n; k++) { acc[k] = _mm256_setzero_ps(); summ[k] = 0; }
    for (int64_t b = 0; b < nb; b++) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(aq + 32 * b));
        for (int k = 0; k < n; k++) {
            const uint8_t *blk = w + (r + k) * rowBytes + bb * b;
            _mm_prefetch((const char *)(blk + 2 * RK_ROWS * rowBytes), _MM_HINT_T0);
            block_fma(type, blk, a, ad[b], as[b], &acc[k], &summ[k]);
        }
    }
    for (int k = 0; k < n; k++) {
        float v = hsum8(acc[k]) + summ[k];
        y[k] = accumulate ? y[k] + v : v;
    }
}

__attribute__((target("avx2,fma,f16c")))
static void dot_rows_avx2(int type, const uint8_t *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                          float *y, int64_t r0, int64_t r1, int accumulate) {
    const int64_t rowBytes = nb * block_bytes(type);
    int64_t r = r0;
    for (; r + RK_ROWS <= r1; r += RK_ROWS) dot_group(type, w, rowBytes, nb, aq, ad, as, y + (r - r0), r, RK_ROWS, accumulate);
    if (r < r1) dot_group(type, w, rowBytes, nb, aq, ad, as, y + (r - r0), r, (int)(r1 - r), accumulate);
}
#endif

void rk_vec_dot_q8(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                   float *y, int64_t r0, int64_t r1, int accumulate) {
#if RK_X86
    if (rk_kernels_avx2()) { dot_rows_avx2(type, (const uint8_t *)w, nb, aq, ad, as, y, r0, r1, accumulate); return; }
#endif
    const int64_t rowBytes = nb * block_bytes(type);
    for (int64_t r = r0; r < r1; r++) {
        float v = dot_row_portable(type, (const uint8_t *)w + r * rowBytes, nb, aq, ad, as);
        y[r - r0] = accumulate ? y[r - r0] + v : v;
    }
}

// ---------------------------------------------------------------- batched dot products (B-row GEMM)

#if RK_X86
// Weight rows per group × activation rows per group: 2×4 accumulators plus the decoded weights fit in
// the 16 ymm registers.
#define RK_GW 2
#define RK_GA 4

// Rows r … r+nw−1 against activations a0 … a0+na−1. Per (row, activation) the arithmetic is exactly
// block_fma's (decode weight block, integer dot, one FMA per block in block order, hsum, + summ), so
// results match dot_group bit for bit; only the decoding of each weight block is shared.
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void gemm_group(int type, const uint8_t *w, int64_t rowBytes, int64_t nb, const int8_t *aq,
                              const float *ad, const float *as, int64_t r, int nw, int64_t a0, int na,
                              float *y, int64_t ystride, int64_t r0, int accumulate) {
    const int64_t bb = block_bytes(type);
    const int64_t cols = nb * 32;
    __m256 acc[RK_GW][RK_GA];
    float summ[RK_GW][RK_GA];
    for (int k = 0; k < RK_GW; k++)
        for (int i = 0; i < RK_GA; i++) { acc[k][i] = _mm256_setzero_ps(); summ[k][i] = 0; }
    for (int64_t b = 0; b < nb; b++) {
        for (int k = 0; k < nw; k++) {
            const uint8_t *blk = w + (r + k) * rowBytes + bb * b;
            if (type == RK_TYPE_Q4_1) {
                uint32_t dm;
                memcpy(&dm, blk, 4);
                __m128 dmf = _mm_cvtph_ps(_mm_cvtsi32_si128((int)dm));
                const float dw = _mm_cvtss_f32(dmf), mw = _mm_cvtss_f32(_mm_movehdup_ps(dmf));
                const __m256i q = nibbles(blk + 4);
                for (int i = 0; i < na; i++) {
                    const int64_t ai = a0 + i;
                    const __m256i a = _mm256_loadu_si256((const __m256i *)(aq + ai * cols + 32 * b));
                    summ[k][i] += mw * as[ai * nb + b];
                    acc[k][i] = _mm256_fmadd_ps(_mm256_set1_ps(dw * ad[ai * nb + b]), dot_u4(q, a), acc[k][i]);
                }
            } else {
                uint16_t dh;
                memcpy(&dh, blk, 2);
                const float dw = _cvtsh_ss(dh);
                const __m256i q = type == RK_TYPE_Q8_0 ? _mm256_loadu_si256((const __m256i *)(blk + 2))
                                                       : _mm256_sub_epi8(nibbles(blk + 2), _mm256_set1_epi8(8));
                for (int i = 0; i < na; i++) {
                    const int64_t ai = a0 + i;
                    const __m256i a = _mm256_loadu_si256((const __m256i *)(aq + ai * cols + 32 * b));
                    acc[k][i] = _mm256_fmadd_ps(_mm256_set1_ps(dw * ad[ai * nb + b]), dot_i8(q, a), acc[k][i]);
                }
            }
        }
    }
    for (int k = 0; k < nw; k++)
        for (int i = 0; i < na; i++) {
            float v = hsum8(acc[k][i]) + summ[k][i];
            float *dst = y + (a0 + i) * ystride + (r + k - r0);
            *dst = accumulate ? *dst + v : v;
        }
}

__attribute__((target("avx2,fma,f16c")))
static void gemm_avx2(int type, const uint8_t *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                      int64_t n, float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate) {
    const int64_t rowBytes = nb * block_bytes(type);
    // Weight rows outermost: a row pair is read from memory once and stays in L1 while every
    // activation group passes over it (activations, B·cols bytes, stay in L2).
    for (int64_t r = r0; r < r1; r += RK_GW) {
        const int nw = r1 - r < RK_GW ? (int)(r1 - r) : RK_GW;
        for (int64_t off = 0; off < RK_GW * rowBytes; off += 64)
            _mm_prefetch((const char *)(w + (r + 2 * RK_GW) * rowBytes + off), _MM_HINT_T0);
        int64_t a = 0;
        // Full groups with constant shapes and types, so the compiler unrolls them and keeps the
        // accumulators in registers; ragged edges take the general body.
        if (nw == RK_GW) {
            for (; a + RK_GA <= n; a += RK_GA) {
                if (type == RK_TYPE_Q4_1) gemm_group(RK_TYPE_Q4_1, w, rowBytes, nb, aq, ad, as, r, RK_GW, a, RK_GA, y, ystride, r0, accumulate);
                else if (type == RK_TYPE_Q4_0) gemm_group(RK_TYPE_Q4_0, w, rowBytes, nb, aq, ad, as, r, RK_GW, a, RK_GA, y, ystride, r0, accumulate);
                else gemm_group(RK_TYPE_Q8_0, w, rowBytes, nb, aq, ad, as, r, RK_GW, a, RK_GA, y, ystride, r0, accumulate);
            }
        }
        for (; a < n; a += RK_GA) {
            const int na = n - a < RK_GA ? (int)(n - a) : RK_GA;
            gemm_group(type, w, rowBytes, nb, aq, ad, as, r, nw, a, na, y, ystride, r0, accumulate);
        }
    }
}
#endif

void rk_gemm_q8(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as, int64_t n,
                float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate) {
#if RK_X86
    if (rk_kernels_avx2()) { gemm_avx2(type, (const uint8_t *)w, nb, aq, ad, as, n, y, ystride, r0, r1, accumulate); return; }
#endif
    for (int64_t i = 0; i < n; i++)
        rk_vec_dot_q8(type, w, nb, aq + i * nb * 32, ad + i * nb, as + i * nb, y + i * ystride, r0, r1, accumulate);
}

// ---------------------------------------------------------------- dequantization

static void dequantize_portable(int type, const uint8_t *w, int64_t nb, float *out, int64_t r0, int64_t r1) {
    const int64_t bb = block_bytes(type);
    for (int64_t i = r0 * nb; i < r1 * nb; i++) {
        const uint8_t *blk = w + i * bb;
        float *o = out + (i - r0 * nb) * 32;
        float d = half_at(blk);
        if (type == RK_TYPE_Q8_0) {
            const int8_t *q = (const int8_t *)(blk + 2);
            for (int j = 0; j < 32; j++) o[j] = d * (float)q[j];
        } else if (type == RK_TYPE_Q4_1) {
            float m = half_at(blk + 2);
            for (int j = 0; j < 16; j++) {
                o[j] = d * (float)(blk[4 + j] & 0x0f) + m;
                o[j + 16] = d * (float)(blk[4 + j] >> 4) + m;
            }
        } else {
            for (int j = 0; j < 16; j++) {
                o[j] = d * (float)((blk[2 + j] & 0x0f) - 8);
                o[j + 16] = d * (float)((blk[2 + j] >> 4) - 8);
            }
        }
    }
}

#if RK_X86
__attribute__((target("avx2,fma,f16c")))
static void dequantize_avx2(int type, const uint8_t *w, int64_t nb, float *out, int64_t r0, int64_t r1) {
    const int64_t bb = block_bytes(type);
    for (int64_t i = r0 * nb; i < r1 * nb; i++) {
        const uint8_t *blk = w + i * bb;
        float *o = out + (i - r0 * nb) * 32;
        __m256 d = _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)blk));
        __m256i q;  // 32 values as int8 (Q4: nibbles, unsigned 0..15)
        __m256 m;
        if (type == RK_TYPE_Q8_0) {
            q = _mm256_loadu_si256((const __m256i *)(blk + 2));
            m = _mm256_setzero_ps();
        } else if (type == RK_TYPE_Q4_1) {
            q = nibbles(blk + 4);
            m = _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)(blk + 2)));
        } else {
            q = _mm256_sub_epi8(nibbles(blk + 2), _mm256_set1_epi8(8));
            m = _mm256_setzero_ps();
        }
        __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
        __m128i parts[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
        for (int k = 0; k < 4; k++) {
            __m256 f = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(parts[k]));
            _mm256_storeu_ps(o + 8 * k, _mm256_fmadd_ps(d, f, m));
        }
    }
}
#endif

void rk_dequantize_rows(int type, const void *w, int64_t nb, float *out, int64_t r0, int64_t r1) {
#if RK_X86
    if (rk_kernels_avx2()) { dequantize_avx2(type, (const uint8_t *)w, nb, out, r0, r1); return; }
#endif
    dequantize_portable(type, (const uint8_t *)w, nb, out, r0, r1);
}

// ---------------------------------------------------------------- decode attention

#if RK_X86
// e^x for 8 lanes: x = n·ln2 + r (Cody–Waite), degree-6 polynomial for e^r, 2^n by exponent bits.
// Relative error ≲ 2 ulp on the range softmax uses (x ≤ 0); underflows to 0 below −87.
__attribute__((target("avx2,fma,f16c")))
static inline __m256 exp8_avx2(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

#endif

// ---------------------------------------------------------------- split-K decode attention

static void attend_partial_portable(const float *q, int64_t heads, const float *k, const float *v, int64_t stride,
                                    int64_t dim, int64_t j0, int64_t j1, float scale, float *sc, float *acc, float *m,
                                    float *l) {
    const int64_t n = j1 - j0;
    for (int64_t h = 0; h < heads; h++) {
        const float *qh = q + h * dim;
        float *s = sc + h * n;
        float mx = -INFINITY;
        for (int64_t j = 0; j < n; j++) {
            const float *kr = k + (j0 + j) * stride;
            float d = 0;
            for (int64_t i = 0; i < dim; i++) d += qh[i] * kr[i];
            s[j] = d * scale;
            if (s[j] > mx) mx = s[j];
        }
        float sum = 0;
        for (int64_t j = 0; j < n; j++) { s[j] = expf(s[j] - mx); sum += s[j]; }
        float *a = acc + h * dim;
        for (int64_t i = 0; i < dim; i++) a[i] = 0;
        for (int64_t j = 0; j < n; j++) {
            const float *vr = v + (j0 + j) * stride;
            for (int64_t i = 0; i < dim; i++) a[i] += s[j] * vr[i];
        }
        m[h] = mx;
        l[h] = sum;
    }
}

#if RK_X86
__attribute__((target("avx2,fma,f16c")))
static void attend_partial_avx2(const float *q, int64_t heads, const float *k, const float *v, int64_t stride,
                                int64_t dim, int64_t j0, int64_t j1, float scale, float *sc, float *acc, float *m,
                                float *l) {
    const int64_t n = j1 - j0, nv = dim / 8;
    // Scores: each key row is loaded once for all heads of the group.
    for (int64_t j = 0; j < n; j++) {
        const float *kr = k + (j0 + j) * stride;
        // K/V rows of one KV head are `stride` floats apart: a strided stream, prefetched a few rows ahead.
        for (int64_t i = 0; i < dim; i += 16) _mm_prefetch((const char *)(kr + 8 * stride + i), _MM_HINT_T0);
        for (int64_t h = 0; h < heads; h++) {
            const float *qh = q + h * dim;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            int64_t i = 0;
            for (; i + 2 <= nv; i += 2) {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(qh + 8 * i), _mm256_loadu_ps(kr + 8 * i), a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(qh + 8 * i + 8), _mm256_loadu_ps(kr + 8 * i + 8), a1);
            }
            if (i < nv) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(qh + 8 * i), _mm256_loadu_ps(kr + 8 * i), a0);
            sc[h * n + j] = hsum8(_mm256_add_ps(a0, a1)) * scale;
        }
    }
    for (int64_t h = 0; h < heads; h++) {
        float *s = sc + h * n;
        float mx = -INFINITY;
        for (int64_t j = 0; j < n; j++) if (s[j] > mx) mx = s[j];
        __m256 m8 = _mm256_set1_ps(mx), sum8 = _mm256_setzero_ps();
        int64_t j = 0;
        for (; j + 8 <= n; j += 8) {
            __m256 e = exp8_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j), m8));
            _mm256_storeu_ps(s + j, e);
            sum8 = _mm256_add_ps(sum8, e);
        }
        float sum = hsum8(sum8);
        for (; j < n; j++) { s[j] = expf(s[j] - mx); sum += s[j]; }
        m[h] = mx;
        l[h] = sum;
    }
    // Weighted values, 64 columns (8 registers) at a time so the accumulators never spill.
    for (int64_t h = 0; h < heads; h++) {
        const float *s = sc + h * n;
        for (int64_t c = 0; c < nv; c += 8) {
            const int64_t cn = nv - c < 8 ? nv - c : 8;
            __m256 r[8];
            for (int64_t i = 0; i < 8; i++) r[i] = _mm256_setzero_ps();
            if (cn == 8) {
                for (int64_t j = 0; j < n; j++) {
                    const float *vr = v + (j0 + j) * stride + 8 * c;
                    for (int64_t i = 0; i < 64; i += 16) _mm_prefetch((const char *)(vr + 8 * stride + i), _MM_HINT_T0);
                    __m256 p = _mm256_set1_ps(s[j]);
                    r[0] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr), r[0]);
                    r[1] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 8), r[1]);
                    r[2] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 16), r[2]);
                    r[3] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 24), r[3]);
                    r[4] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 32), r[4]);
                    r[5] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 40), r[5]);
                    r[6] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 48), r[6]);
                    r[7] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 56), r[7]);
                }
            } else {
                for (int64_t j = 0; j < n; j++) {
                    const float *vr = v + (j0 + j) * stride + 8 * c;
                    __m256 p = _mm256_set1_ps(s[j]);
                    for (int64_t i = 0; i < cn; i++) r[i] = _mm256_fmadd_ps(p, _mm256_loadu_ps(vr + 8 * i), r[i]);
                }
            }
            for (int64_t i = 0; i < cn; i++) _mm256_storeu_ps(acc + h * dim + 8 * (c + i), r[i]);
        }
    }
}
#endif

void rk_attend_partial(const float *q, int64_t heads, const float *k, const float *v, int64_t stride, int64_t dim,
                       int64_t j0, int64_t j1, float scale, float *scratch, float *acc, float *m, float *l) {
#if RK_X86
    if (rk_kernels_avx2() && dim % 8 == 0) {
        attend_partial_avx2(q, heads, k, v, stride, dim, j0, j1, scale, scratch, acc, m, l);
        return;
    }
#endif
    attend_partial_portable(q, heads, k, v, stride, dim, j0, j1, scale, scratch, acc, m, l);
}

void rk_attend_merge(int64_t parts, int64_t heads, int64_t dim, const float *acc, const float *m, const float *l,
                     float *out) {
    for (int64_t h = 0; h < heads; h++) {
        float mx = -INFINITY;
        for (int64_t c = 0; c < parts; c++) if (m[c * heads + h] > mx) mx = m[c * heads + h];
        float total = 0;
        float *o = out + h * dim;
        for (int64_t i = 0; i < dim; i++) o[i] = 0;
        for (int64_t c = 0; c < parts; c++) {
            float w = expf(m[c * heads + h] - mx);
            total += w * l[c * heads + h];
            const float *a = acc + (c * heads + h) * dim;
            for (int64_t i = 0; i < dim; i++) o[i] += w * a[i];
        }
        float inv = 1.0f / total;
        for (int64_t i = 0; i < dim; i++) o[i] *= inv;
    }
}
