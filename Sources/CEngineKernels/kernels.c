// Quantized dot products, dequantization and decode attention for RewardKit's engine.
// Each entry point has a portable C body and, on x86-64, an AVX2+FMA+F16C body selected once at run
// time (function-level target attributes: the rest of the binary stays at the x86-64 baseline).
// Weights are read in place from the GGUF blocks (f16 scales), so decode needs no repacked copy.
#include "rk_kernels.h"

#include <math.h>
#include <stdlib.h>
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

// Whether the CPU has the AVX2 kernels' instructions, ignoring rk_kernels_force_portable.
static int cpu_avx2(void) {
#if RK_X86
    static int cached = -1;
    if (cached < 0) cached = detect_avx2();
    return cached;
#else
    return 0;
#endif
}

int rk_kernels_avx2(void) { return cpu_avx2() && !g_forced_portable; }

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

// ---------------------------------------------------------------- weight quantization (Q7_1)

// The f16 next toward −∞ / +∞ of a finite f16 (for rounding the offset down and the scale up).
static uint16_t half_down(uint16_t h) { return h == 0 ? 0x8001 : (h & 0x8000) ? h + 1 : h - 1; }
static uint16_t half_up(uint16_t h) { return (h & 0x7fff) == 0 ? 0x0001 : (h & 0x8000) ? h - 1 : h + 1; }

int rk_quantize_weights(int type, const float *x, int64_t n, void *blocks) {
    if (type != RK_TYPE_Q7_1) return -1;
    const int levels = 127;
    for (int64_t b = 0; b < n / 32; b++) {
        const float *src = x + 32 * b;
        uint8_t *blk = (uint8_t *)blocks + 36 * b;
        float mn = src[0], mx = src[0];
        for (int j = 0; j < 32; j++) {
            if (!isfinite(src[j])) return -1;
            if (src[j] < mn) mn = src[j];
            if (src[j] > mx) mx = src[j];
        }
        if (mn < -65504.0f || mx > 65504.0f) return -1;
        uint16_t mh = fp32_to_fp16(mn);
        if (fp16_to_fp32(mh) > mn) mh = half_down(mh);
        const float m = fp16_to_fp32(mh);
        const float range = mx - m;
        uint16_t dh = fp32_to_fp16(range / (float)levels);
        if (fp16_to_fp32(dh) * (float)levels < range) dh = half_up(dh);
        const float d = fp16_to_fp32(dh);
        if (!isfinite(d) || !isfinite(m)) return -1;
        memcpy(blk, &dh, 2);
        memcpy(blk + 2, &mh, 2);
        const float id = d > 0 ? 1.0f / d : 0.0f;
        for (int j = 0; j < 32; j++) {
            int q = (int)nearbyintf((src[j] - m) * id);
            blk[4 + j] = (uint8_t)(q < 0 ? 0 : q > levels ? levels : q);
        }
    }
    return 0;
}

// ---------------------------------------------------------------- dot products (portable)

static inline int64_t block_bytes(int type) {
    return type == RK_TYPE_Q4_1 ? 20 : type == RK_TYPE_Q4_0 ? 18 : type == RK_TYPE_Q7_1 ? 36 : 34;
}

// Q7_1 (RewardKit's own, never in a GGUF file): f16 d, f16 m, then 32 unsigned bytes q ∈ 0..127,
// w = d·q + m. Laid out as Q4_1 with one byte per weight, so the dot recipe is Q4_1's.
static inline int has_min(int type) { return type == RK_TYPE_Q4_1 || type == RK_TYPE_Q7_1; }
static inline int is_byte_unsigned(int type) { return type == RK_TYPE_Q7_1; }

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
        } else if (is_byte_unsigned(type)) {
            const uint8_t *blk = row + 36 * b;
            const uint8_t *q = blk + 4;
            for (int j = 0; j < 32; j++) isum += q[j] * a[j];
            acc += half_at(blk) * ad[b] * (float)isum + half_at(blk + 2) * as[b];
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

// Σ q·a over one 32-element block as 16 int16 lanes of pair sums (|lane| ≤ 2·15·127 for Q4, 2·128·127
// for Q8_0). Q4_1 nibbles are unsigned, so maddubs takes them directly; signed weights use the sign trick.
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline __m256i block_dot_i16(int type, __m256i q, __m256i a) {
    if (type == RK_TYPE_Q4_1 || is_byte_unsigned(type)) return _mm256_maddubs_epi16(q, a);
    return _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(a, q));
}

// A weight block's quantized values as 32 bytes (Q4_1: unsigned nibbles; Q4_0: nibbles − 8; Q8_0: as stored).
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline __m256i block_values(int type, const uint8_t *blk) {
    if (type == RK_TYPE_Q4_1) return nibbles(blk + 4);
    if (is_byte_unsigned(type)) return _mm256_loadu_si256((const __m256i *)(blk + 4));
    if (type == RK_TYPE_Q4_0) return _mm256_sub_epi8(nibbles(blk + 2), _mm256_set1_epi8(8));
    return _mm256_loadu_si256((const __m256i *)(blk + 2));
}

// The f16 scale and offset of four weight blocks as [d0 d1 d2 d3 | m0 m1 m2 m3] (m = 0 for Q4_0/Q8_0).
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline __m256 block_scales4(int type, const uint8_t *b0, const uint8_t *b1, const uint8_t *b2, const uint8_t *b3) {
    if (has_min(type)) {
        uint32_t x0, x1, x2, x3;
        memcpy(&x0, b0, 4); memcpy(&x1, b1, 4); memcpy(&x2, b2, 4); memcpy(&x3, b3, 4);
        __m256 dm = _mm256_cvtph_ps(_mm_setr_epi32((int)x0, (int)x1, (int)x2, (int)x3));  // d0 m0 d1 m1 …
        return _mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    }
    uint16_t h0, h1, h2, h3;
    memcpy(&h0, b0, 2); memcpy(&h1, b1, 2); memcpy(&h2, b2, 2); memcpy(&h3, b3, 2);
    return _mm256_cvtph_ps(_mm_setr_epi16((short)h0, (short)h1, (short)h2, (short)h3, 0, 0, 0, 0));
}

// Integer totals of 4 / 8 block dots (block_dot_i16 results), exact. Q4 types: a 128-bit half of a
// block dot is 16 products, |Σ| ≤ 16·15·127 < 2^15, so the pair sums are reduced in int16 first (half the
// widening multiplies); Q8_0 widens each block dot to int32 first.
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline __m128i reduce4(int type, __m256i p0, __m256i p1, __m256i p2, __m256i p3) {
    __m256i h;
    if (type == RK_TYPE_Q8_0 || is_byte_unsigned(type)) {
        const __m256i ones = _mm256_set1_epi16(1);
        h = _mm256_hadd_epi32(_mm256_hadd_epi32(_mm256_madd_epi16(p0, ones), _mm256_madd_epi16(p1, ones)),
                              _mm256_hadd_epi32(_mm256_madd_epi16(p2, ones), _mm256_madd_epi16(p3, ones)));
    } else {
        // Per half: [p0 p0 p1 p1 p2 p2 p3 p3] int16 partials (≤ 8 products each), then pairs to int32.
        h = _mm256_madd_epi16(_mm256_hadd_epi16(_mm256_hadd_epi16(p0, p1), _mm256_hadd_epi16(p2, p3)), _mm256_set1_epi16(1));
    }
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

__attribute__((target("avx2,fma,f16c"), always_inline))
static inline __m256i reduce8(int type, __m256i p0, __m256i p1, __m256i p2, __m256i p3, __m256i p4, __m256i p5, __m256i p6,
                              __m256i p7) {
    if (type == RK_TYPE_Q8_0 || is_byte_unsigned(type)) {
        const __m256i ones = _mm256_set1_epi16(1);
        __m256i a = _mm256_hadd_epi32(_mm256_hadd_epi32(_mm256_madd_epi16(p0, ones), _mm256_madd_epi16(p1, ones)),
                                      _mm256_hadd_epi32(_mm256_madd_epi16(p2, ones), _mm256_madd_epi16(p3, ones)));
        __m256i b = _mm256_hadd_epi32(_mm256_hadd_epi32(_mm256_madd_epi16(p4, ones), _mm256_madd_epi16(p5, ones)),
                                      _mm256_hadd_epi32(_mm256_madd_epi16(p6, ones), _mm256_madd_epi16(p7, ones)));
        // a: p0..p3 low halves | p0..p3 high halves; b likewise for p4..p7.
        return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
    }
    // Per 128-bit half: [p0 … p7] int16 totals of that half (16 products each), then widen and add halves.
    __m256i h = _mm256_hadd_epi16(_mm256_hadd_epi16(_mm256_hadd_epi16(p0, p1), _mm256_hadd_epi16(p2, p3)),
                                  _mm256_hadd_epi16(_mm256_hadd_epi16(p4, p5), _mm256_hadd_epi16(p6, p7)));
    return _mm256_add_epi32(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(h)), _mm256_cvtepi16_epi32(_mm256_extracti128_si256(h, 1)));
}

// Every (weight row, activation) pair keeps one float lane and, per block in block order, does exactly
//   acc = fma(d_w·d_a, (float)Σq·a, acc);  summ = fma(m_w, s_a, summ)      (Σq·a an exact integer)
// and ends with acc + summ. The single-row and the batched kernels below both follow this recipe lane
// by lane, so a sequence's result does not depend on the batch it is decoded in, bit for bit.

// Rows r … r+n−1 (n ≤ 4) into y[0 … n−1]; missing rows of a ragged group repeat the last real row.
// The weights two row-groups ahead are prefetched: the hardware prefetcher alone left decode 40 % slower.
#define RK_ROWS 4
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void dot_group(int type, const uint8_t *w, int64_t rowBytes, int64_t nb, const int8_t *aq, const float *ad,
                             const float *as, float *y, int64_t r, int n, int accumulate) {
    const int64_t bb = block_bytes(type);
    const uint8_t *w0 = w + r * rowBytes;
    const uint8_t *w1 = w + (r + (n > 1 ? 1 : 0)) * rowBytes;
    const uint8_t *w2 = w + (r + (n > 2 ? 2 : n - 1)) * rowBytes;
    const uint8_t *w3 = w + (r + (n > 3 ? 3 : n - 1)) * rowBytes;
    __m128 acc = _mm_setzero_ps(), summ = _mm_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const int64_t o = bb * b;
        _mm_prefetch((const char *)(w0 + o + 2 * RK_ROWS * rowBytes), _MM_HINT_T0);
        _mm_prefetch((const char *)(w1 + o + 2 * RK_ROWS * rowBytes), _MM_HINT_T0);
        _mm_prefetch((const char *)(w2 + o + 2 * RK_ROWS * rowBytes), _MM_HINT_T0);
        _mm_prefetch((const char *)(w3 + o + 2 * RK_ROWS * rowBytes), _MM_HINT_T0);
        const __m256i a = _mm256_loadu_si256((const __m256i *)(aq + 32 * b));
        __m128i isum = reduce4(type, block_dot_i16(type, block_values(type, w0 + o), a), block_dot_i16(type, block_values(type, w1 + o), a),
                                   block_dot_i16(type, block_values(type, w2 + o), a), block_dot_i16(type, block_values(type, w3 + o), a));
        __m256 dm = block_scales4(type, w0 + o, w1 + o, w2 + o, w3 + o);
        acc = _mm_fmadd_ps(_mm_mul_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(ad[b])), _mm_cvtepi32_ps(isum), acc);
        if (has_min(type)) summ = _mm_fmadd_ps(_mm256_extractf128_ps(dm, 1), _mm_set1_ps(as[b]), summ);
    }
    float v[4];
    _mm_storeu_ps(v, _mm_add_ps(acc, summ));
    for (int k = 0; k < n; k++) y[k] = accumulate ? y[k] + v[k] : v[k];
}

__attribute__((target("avx2,fma,f16c")))
static void dot_rows_avx2(int type, const uint8_t *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                          float *y, int64_t r0, int64_t r1, int accumulate) {
    const int64_t rowBytes = nb * block_bytes(type);
    int64_t r = r0;
    for (; r + RK_ROWS <= r1; r += RK_ROWS) {
        if (type == RK_TYPE_Q4_1) dot_group(RK_TYPE_Q4_1, w, rowBytes, nb, aq, ad, as, y + (r - r0), r, RK_ROWS, accumulate);
        else if (type == RK_TYPE_Q4_0) dot_group(RK_TYPE_Q4_0, w, rowBytes, nb, aq, ad, as, y + (r - r0), r, RK_ROWS, accumulate);
        else if (type == RK_TYPE_Q7_1) dot_group(RK_TYPE_Q7_1, w, rowBytes, nb, aq, ad, as, y + (r - r0), r, RK_ROWS, accumulate);
        else dot_group(RK_TYPE_Q8_0, w, rowBytes, nb, aq, ad, as, y + (r - r0), r, RK_ROWS, accumulate);
    }
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
// 4 weight rows × 4 activation rows per group: each weight block is decoded once for 4 sequences, each
// activation block loaded once for 4 rows, and the 16 block dots of a block reduce to two 8-lane integer
// vectors, so the scale products, conversions and FMAs are vectorized across (row, sequence) pairs.
#define RK_GW 4
#define RK_GA 4

// Rows r … r+nw−1 against activations a0 … a0+na−1 (ragged groups repeat their last row / activation
// and discard those lanes). adT/asT: the activation scales transposed to [block][npad] (npad = n rounded
// up to 4), so one 128-bit load gives a block's scales for 4 sequences. Lane (k, i) of the vectors below
// is rows k (0–1 in the first vector, 2–3 in the second) × activation i, following the recipe above.
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void gemm_group(int type, const uint8_t *w, int64_t rowBytes, int64_t nb, const int8_t *aq,
                              const float *adT, const float *asT, int64_t npad, int64_t r, int nw, int64_t a0,
                              int na, float *y, int64_t ystride, int64_t r0, int accumulate) {
    const int64_t bb = block_bytes(type);
    const int64_t cols = nb * 32;
    const uint8_t *wr[RK_GW];
    const int8_t *ar[RK_GA];
    for (int k = 0; k < RK_GW; k++) wr[k] = w + (r + (k < nw ? k : nw - 1)) * rowBytes;
    for (int i = 0; i < RK_GA; i++) ar[i] = aq + (a0 + (i < na ? i : na - 1)) * cols;
    __m256 acc01 = _mm256_setzero_ps(), acc23 = _mm256_setzero_ps();
    __m256 summ01 = _mm256_setzero_ps(), summ23 = _mm256_setzero_ps();
    const __m256i bcast01 = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1), bcast23 = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
    const __m256i mcast01 = _mm256_setr_epi32(4, 4, 4, 4, 5, 5, 5, 5), mcast23 = _mm256_setr_epi32(6, 6, 6, 6, 7, 7, 7, 7);
    for (int64_t b = 0; b < nb; b++) {
        const int64_t o = bb * b;
        const __m256i x0 = _mm256_loadu_si256((const __m256i *)(ar[0] + 32 * b));
        const __m256i x1 = _mm256_loadu_si256((const __m256i *)(ar[1] + 32 * b));
        const __m256i x2 = _mm256_loadu_si256((const __m256i *)(ar[2] + 32 * b));
        const __m256i x3 = _mm256_loadu_si256((const __m256i *)(ar[3] + 32 * b));
        const __m256i q0 = block_values(type, wr[0] + o), q1 = block_values(type, wr[1] + o);
        const __m256i s01 = reduce8(type, block_dot_i16(type, q0, x0), block_dot_i16(type, q0, x1), block_dot_i16(type, q0, x2),
                                        block_dot_i16(type, q0, x3), block_dot_i16(type, q1, x0), block_dot_i16(type, q1, x1),
                                        block_dot_i16(type, q1, x2), block_dot_i16(type, q1, x3));
        const __m256i q2 = block_values(type, wr[2] + o), q3 = block_values(type, wr[3] + o);
        const __m256i s23 = reduce8(type, block_dot_i16(type, q2, x0), block_dot_i16(type, q2, x1), block_dot_i16(type, q2, x2),
                                        block_dot_i16(type, q2, x3), block_dot_i16(type, q3, x0), block_dot_i16(type, q3, x1),
                                        block_dot_i16(type, q3, x2), block_dot_i16(type, q3, x3));
        const __m256 dm = block_scales4(type, wr[0] + o, wr[1] + o, wr[2] + o, wr[3] + o);  // d0..d3 | m0..m3
        const __m256 da = _mm256_broadcast_ps((const __m128 *)(adT + b * npad + a0));
        acc01 = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_permutevar8x32_ps(dm, bcast01), da), _mm256_cvtepi32_ps(s01), acc01);
        acc23 = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_permutevar8x32_ps(dm, bcast23), da), _mm256_cvtepi32_ps(s23), acc23);
        if (has_min(type)) {
            const __m256 sa = _mm256_broadcast_ps((const __m128 *)(asT + b * npad + a0));
            summ01 = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm, mcast01), sa, summ01);
            summ23 = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm, mcast23), sa, summ23);
        }
    }
    float v[RK_GW * RK_GA];
    _mm256_storeu_ps(v, _mm256_add_ps(acc01, summ01));
    _mm256_storeu_ps(v + 8, _mm256_add_ps(acc23, summ23));
    for (int k = 0; k < nw; k++)
        for (int i = 0; i < na; i++) {
            const float x = v[4 * k + i];
            float *dst = y + (a0 + i) * ystride + (r + k - r0);
            *dst = accumulate ? *dst + x : x;
        }
}

// ---- 8-sequence microkernel for the 4-bit types: weights broadcast, activations interleaved.
// A weight block's nibbles are unpacked once per 4-row tile (into `unp`, element order) and every
// 4-element chunk of it is broadcast against one 32-byte vector holding the same 4 elements of 8
// sequences (the activations interleaved once per call), so one maddubs does 32 MACs for 8 (row,
// sequence) pairs and the 8 chunks of a block sum in int16 (|Σ| ≤ 8·2·15·127 < 2^15) before one widening
// madd: no horizontal reductions. Q4_0 uses the unsigned nibbles and subtracts 8·Σa per block (exact);
// Q8_0 broadcasts |w| against the activations carrying w's sign and widens every chunk.
// The float recipe per (row, sequence) lane is the one above (acc = fma(d_w·d_a, Σq·a, acc); summ =
// fma(m_w, s_a, summ); acc + summ), so results equal dot_group's bit for bit.
#define RK_T8 4  // weight rows per tile
#ifndef RK_GEMM8_CHUNK_BYTES
#define RK_GEMM8_CHUNK_BYTES (384 * 1024)
#endif

typedef struct {
    int8_t *ai;     // [group][block][chunk 0..7][seq 0..7][4]
    float *adT;     // [group][block][8]
    float *asT;     // [group][block][8]
    int32_t *sumT;  // [group][block][8]: Σ of the block's int8 activations (Q4_0)
    uint8_t *unp;   // [RK_T8][cols] unpacked nibbles (Q8_0: |w|)
    uint8_t *unpSigned;  // [RK_T8][cols] Q8_0 weights as stored
    float *wd;      // [block][RK_T8] weight scales, f32
    float *wm;      // [block][RK_T8] weight offsets, f32 (Q4_1)
} Gemm8Scratch;

// Per-thread scratch: [0] the unpacked weight tile, [1] interleaved activations when the caller did not
// pack them (rk_gemm_q8 without rk_gemm_q8_pack).
static __thread void *g_scratch[2] = {NULL, NULL};
static __thread size_t g_scratchBytes[2] = {0, 0};

static void *scratch_bytes(int which, size_t bytes) {
    if (bytes > g_scratchBytes[which]) {
        free(g_scratch[which]);
        g_scratch[which] = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
        g_scratchBytes[which] = g_scratch[which] ? bytes : 0;
    }
    return g_scratch[which];
}

// Activation rows [0, n8) go through the 8-sequence microkernel (groups of 8; a last group of 5–7 is
// padded), the rest (≤ 4) through the 4×4 tiles.
static int64_t gemm8_rows(int64_t n) { return n < 5 ? 0 : n % 8 >= 5 ? n : n & ~(int64_t)7; }

// Interleaved activations of n8 rows: ai [group][block][chunk 0..7][seq 0..7][4 bytes], then adT, asT
// ([group][block][8] f32) and sumT ([group][block][8] int32).
static size_t gemm8_pack_bytes(int64_t n8, int64_t nb) { return (size_t)((n8 + 7) / 8) * nb * (256 + 3 * 32); }

__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void gemm8_tile(int type, const Gemm8Scratch *S, int64_t nb, int64_t g, int nw, int na, float *y,
                              int64_t ystride, int64_t rout, int accumulate) {
    const int64_t cols = nb * 32;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[RK_T8], summ[RK_T8];
    for (int k = 0; k < RK_T8; k++) { acc[k] = _mm256_setzero_ps(); summ[k] = _mm256_setzero_ps(); }
    const int8_t *ai = S->ai + g * nb * 256;
    for (int64_t b = 0; b < nb; b++) {
        if (type == RK_TYPE_Q8_0) {
            // Signed weights: |w| broadcast × activations carrying w's sign, widened per chunk (a pair
            // sum reaches 2·128·127, so int16 cannot hold two chunks).
            __m256i s32[RK_T8];
            const uint8_t *u = S->unp + 32 * b, *us = S->unpSigned + 32 * b;
            for (int k = 0; k < RK_T8; k++) s32[k] = _mm256_setzero_si256();
            for (int c = 0; c < 8; c++) {
                const __m256i x = _mm256_load_si256((const __m256i *)(ai + 256 * b + 32 * c));
                for (int k = 0; k < RK_T8; k++) {
                    int32_t wa, ws;
                    memcpy(&wa, u + k * cols + 4 * c, 4);
                    memcpy(&ws, us + k * cols + 4 * c, 4);
                    const __m256i p = _mm256_maddubs_epi16(_mm256_set1_epi32(wa), _mm256_sign_epi8(x, _mm256_set1_epi32(ws)));
                    s32[k] = _mm256_add_epi32(s32[k], _mm256_madd_epi16(p, ones));
                }
            }
            const __m256 da = _mm256_load_ps(S->adT + (g * nb + b) * 8);
            for (int k = 0; k < RK_T8; k++)
                acc[k] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(S->wd[b * RK_T8 + k]), da), _mm256_cvtepi32_ps(s32[k]), acc[k]);
            continue;
        }
        if (is_byte_unsigned(type)) {
            // Unsigned bytes broadcast × activations as for Q4_1 (no sign trick), but a pair sum reaches
            // 2·127·127, so each chunk is widened before the next is added. (A 6-bit variant whose two
            // chunks share one widening measured no faster, at half the precision.)
            __m256i s32[RK_T8];
            const uint8_t *u = S->unp + 32 * b;
            for (int k = 0; k < RK_T8; k++) s32[k] = _mm256_setzero_si256();
            for (int c = 0; c < 8; c++) {
                const __m256i x = _mm256_load_si256((const __m256i *)(ai + 256 * b + 32 * c));
                for (int k = 0; k < RK_T8; k++) {
                    int32_t wv;
                    memcpy(&wv, u + k * cols + 4 * c, 4);
                    s32[k] = _mm256_add_epi32(s32[k], _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi32(wv), x), ones));
                }
            }
            const __m256 da = _mm256_load_ps(S->adT + (g * nb + b) * 8);
            const __m256 sa = _mm256_load_ps(S->asT + (g * nb + b) * 8);
            for (int k = 0; k < RK_T8; k++) {
                acc[k] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(S->wd[b * RK_T8 + k]), da), _mm256_cvtepi32_ps(s32[k]), acc[k]);
                summ[k] = _mm256_fmadd_ps(_mm256_set1_ps(S->wm[b * RK_T8 + k]), sa, summ[k]);
            }
            continue;
        }
        __m256i s16[RK_T8];
        const uint8_t *u = S->unp + 32 * b;
        {
            const __m256i x = _mm256_load_si256((const __m256i *)(ai + 256 * b));
            for (int k = 0; k < RK_T8; k++) {
                int32_t wv;
                memcpy(&wv, u + k * cols, 4);
                s16[k] = _mm256_maddubs_epi16(_mm256_set1_epi32(wv), x);
            }
        }
        for (int c = 1; c < 8; c++) {
            const __m256i x = _mm256_load_si256((const __m256i *)(ai + 256 * b + 32 * c));
            for (int k = 0; k < RK_T8; k++) {
                int32_t wv;
                memcpy(&wv, u + k * cols + 4 * c, 4);
                s16[k] = _mm256_add_epi16(s16[k], _mm256_maddubs_epi16(_mm256_set1_epi32(wv), x));
            }
        }
        const __m256 da = _mm256_load_ps(S->adT + (g * nb + b) * 8);
        if (type == RK_TYPE_Q4_1) {
            const __m256 sa = _mm256_load_ps(S->asT + (g * nb + b) * 8);
            for (int k = 0; k < RK_T8; k++) {
                const __m256i isum = _mm256_madd_epi16(s16[k], ones);
                acc[k] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(S->wd[b * RK_T8 + k]), da), _mm256_cvtepi32_ps(isum), acc[k]);
                summ[k] = _mm256_fmadd_ps(_mm256_set1_ps(S->wm[b * RK_T8 + k]), sa, summ[k]);
            }
        } else {
            const __m256i off = _mm256_slli_epi32(_mm256_load_si256((const __m256i *)(S->sumT + (g * nb + b) * 8)), 3);
            for (int k = 0; k < RK_T8; k++) {
                const __m256i isum = _mm256_sub_epi32(_mm256_madd_epi16(s16[k], ones), off);
                acc[k] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(S->wd[b * RK_T8 + k]), da), _mm256_cvtepi32_ps(isum), acc[k]);
            }
        }
    }
    for (int k = 0; k < nw; k++) {
        float v[8];
        _mm256_storeu_ps(v, _mm256_add_ps(acc[k], summ[k]));
        for (int i = 0; i < na; i++) {
            float *dst = y + (g * 8 + i) * ystride + rout + k;
            *dst = accumulate ? *dst + v[i] : v[i];
        }
    }
}

// Weight rows unpacked per tile: as many as fit in ~96 KB of scratch (L2), 4 to 64, so the tile is read
// from memory and unpacked once per call and then reused by every group of 8 sequences, whose
// interleaved activations (8·cols bytes) stay in L1 while the tile's 4-row groups pass over them.
static int64_t gemm8_tile_rows(int type, int64_t cols) {
    int64_t rt = (96 * 1024 / (cols * (type == RK_TYPE_Q8_0 ? 2 : 1))) & ~(int64_t)3;
    return rt < 4 ? 4 : rt > 64 ? 64 : rt;
}

// Groups of 8 sequences per activation block in gemm8_avx2: ~384 KB of interleaved activations (nb·352
// bytes a group), so the block and a weight tile share the 512 KB L2; n = 256 at 1,024 columns is one block.
static int64_t gemm8_chunk_groups(int64_t nb) {
    const int64_t g = (int64_t)(RK_GEMM8_CHUNK_BYTES) / (nb * 352);
    return g < 4 ? 4 : g;
}

// Interleaves the groups [g0, g1) of activation rows [0, n) (n ≤ a multiple of 8 groups; padded lanes
// zero) into `buf` (gemm8_pack_bytes for all n rows, 32-byte aligned). Groups are independent, so
// disjoint group ranges may be packed by different threads.
__attribute__((target("avx2,fma,f16c")))
static void gemm8_pack(const int8_t *aq, const float *ad, const float *as, int64_t n, int64_t nb, int64_t g0, int64_t g1,
                       uint8_t *buf) {
    const int64_t cols = nb * 32, groups = (n + 7) / 8;
    const size_t aiBytes = (size_t)groups * nb * 256, vecBytes = (size_t)groups * nb * 32;
    Gemm8Scratch S = {(int8_t *)buf, (float *)(buf + aiBytes), (float *)(buf + aiBytes + vecBytes),
                      (int32_t *)(buf + aiBytes + 2 * vecBytes), NULL, NULL, NULL, NULL};
    // Interleave: chunk c of block b of sequence s → ai[g][b][c][s] (an 8×8 transpose of 4-byte chunks
    // per block), with the block's activation sums (Q4_0's offset term) from the transposed chunks.
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    for (int64_t g = g0; g < g1 && g < groups; g++) {
        const int live = n - 8 * g < 8 ? (int)(n - 8 * g) : 8;
        for (int64_t b = 0; b < nb; b++) {
            __m256i r[8];
            for (int s = 0; s < 8; s++)
                r[s] = s < live ? _mm256_loadu_si256((const __m256i *)(aq + (g * 8 + s) * cols + 32 * b)) : _mm256_setzero_si256();
            const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
            const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
            const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
            const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
            const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
            const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
            const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
            const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
            __m256i c[8];
            c[0] = _mm256_permute2x128_si256(u0, u4, 0x20); c[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
            c[1] = _mm256_permute2x128_si256(u1, u5, 0x20); c[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
            c[2] = _mm256_permute2x128_si256(u2, u6, 0x20); c[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
            c[3] = _mm256_permute2x128_si256(u3, u7, 0x20); c[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
            int8_t *dst = S.ai + (g * nb + b) * 256;
            __m256i sum16 = _mm256_setzero_si256();  // |pair sums| ≤ 8·2·128: no int16 overflow
            for (int k = 0; k < 8; k++) {
                _mm256_store_si256((__m256i *)(dst + 32 * k), c[k]);
                sum16 = _mm256_add_epi16(sum16, _mm256_maddubs_epi16(ones8, c[k]));
            }
            _mm256_store_si256((__m256i *)(S.sumT + (g * nb + b) * 8), _mm256_madd_epi16(sum16, ones16));
            float *dT = S.adT + (g * nb + b) * 8, *sT = S.asT + (g * nb + b) * 8;
            for (int s = 0; s < 8; s++) {
                dT[s] = s < live ? ad[(g * 8 + s) * nb + b] : 0;
                sT[s] = s < live ? as[(g * 8 + s) * nb + b] : 0;
            }
        }
    }
}

// Sequences [0, n) of a GEMM through gemm8_tile, in groups of 8, with their activations already
// interleaved in `packed` by gemm8_pack (padded lanes are computed and discarded).
__attribute__((target("avx2,fma,f16c")))
static int gemm8_avx2(int type, const uint8_t *w, int64_t nb, const uint8_t *packed, int64_t n, float *y,
                      int64_t ystride, int64_t r0, int64_t r1, int accumulate) {
    const int64_t cols = nb * 32, groups = (n + 7) / 8, bb = block_bytes(type), rowBytes = nb * bb;
    const int64_t rt = gemm8_tile_rows(type, cols);
    const size_t aiBytes = (size_t)groups * nb * 256, vecBytes = (size_t)groups * nb * 32;
    const size_t unpBytes = (size_t)rt * cols, wBytes = (size_t)nb * rt * 4;
    uint8_t *p = scratch_bytes(0, 2 * unpBytes + 2 * wBytes + 64);
    if (!p) return 0;
    Gemm8Scratch S = {(int8_t *)packed, (float *)(packed + aiBytes), (float *)(packed + aiBytes + vecBytes),
                      (int32_t *)(packed + aiBytes + 2 * vecBytes), p, p + unpBytes,
                      (float *)(p + 2 * unpBytes), (float *)(p + 2 * unpBytes + wBytes)};
    const int dOff = type == RK_TYPE_Q4_1 ? 4 : 2;
    // Many sequences: blocks of groups whose interleaved activations (with the tile) stay in L2, each
    // block passing over every weight tile of the slice, so a tile's pass does not stream the whole
    // activation panel (n·cols bytes, MBs at n = 2048) from L3 nor touch every output row.
    const int64_t chunkGroups = gemm8_chunk_groups(nb);
    for (int64_t c0 = 0; c0 < groups; c0 += chunkGroups) {
    const int64_t c1 = groups - c0 < chunkGroups ? groups : c0 + chunkGroups;
    for (int64_t r = r0; r < r1; r += rt) {
        const int64_t nt = r1 - r < rt ? r1 - r : rt;
        const int64_t nt4 = (nt + 3) & ~(int64_t)3;
        // Unpack the tile's rows (missing rows of a ragged last 4-row group repeat the tile's last row)
        // and their scales ([4-row group][block][4]).
        for (int64_t k = 0; k < nt4; k++) {
            const uint8_t *row = w + (r + (k < nt ? k : nt - 1)) * rowBytes;
            float *wd = S.wd + (k >> 2) * nb * 4 + (k & 3), *wm = S.wm + (k >> 2) * nb * 4 + (k & 3);
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = row + bb * b;
                if (type == RK_TYPE_Q8_0) {
                    const __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 2));
                    _mm256_storeu_si256((__m256i *)(S.unp + k * cols + 32 * b), _mm256_abs_epi8(q));
                    _mm256_storeu_si256((__m256i *)(S.unpSigned + k * cols + 32 * b), q);
                } else if (is_byte_unsigned(type)) {
                    _mm256_storeu_si256((__m256i *)(S.unp + k * cols + 32 * b), _mm256_loadu_si256((const __m256i *)(blk + 4)));
                } else {
                    _mm256_storeu_si256((__m256i *)(S.unp + k * cols + 32 * b), nibbles(blk + dOff));
                }
                uint16_t h;
                memcpy(&h, blk, 2);
                wd[4 * b] = _cvtsh_ss(h);
                if (has_min(type)) { memcpy(&h, blk + 2, 2); wm[4 * b] = _cvtsh_ss(h); }
            }
        }
        for (int64_t g = c0; g < c1; g++) {
            const int na = n - 8 * g < 8 ? (int)(n - 8 * g) : 8;
            for (int64_t j = 0; j < nt4; j += RK_T8) {
                const int nw = nt - j < RK_T8 ? (int)(nt - j) : RK_T8;
                Gemm8Scratch T = S;
                T.unp = S.unp + j * cols;
                T.unpSigned = S.unpSigned + j * cols;
                T.wd = S.wd + j * nb;
                T.wm = S.wm + j * nb;
                if (type == RK_TYPE_Q4_1) gemm8_tile(RK_TYPE_Q4_1, &T, nb, g, nw, na, y, ystride, r + j - r0, accumulate);
                else if (type == RK_TYPE_Q4_0) gemm8_tile(RK_TYPE_Q4_0, &T, nb, g, nw, na, y, ystride, r + j - r0, accumulate);
                else if (type == RK_TYPE_Q7_1) gemm8_tile(RK_TYPE_Q7_1, &T, nb, g, nw, na, y, ystride, r + j - r0, accumulate);
                else gemm8_tile(RK_TYPE_Q8_0, &T, nb, g, nw, na, y, ystride, r + j - r0, accumulate);
            }
        }
    }
    }
    return 1;
}

__attribute__((target("avx2,fma,f16c")))
static void gemm_avx2(int type, const uint8_t *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                      const uint8_t *packed, int64_t n, float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate) {
    // Groups of 8 sequences take the broadcast microkernel (a last group of 5–7 too, padded: cheaper
    // than two 4×4 passes); the rest the 4×4 tiles below. Both follow the same per-lane recipe.
    const int64_t n8 = gemm8_rows(n);
    if (n8 > 0) {
        if (!packed) {
            uint8_t *buf = scratch_bytes(1, gemm8_pack_bytes(n8, nb));
            if (buf) gemm8_pack(aq, ad, as, n8, nb, 0, (n8 + 7) / 8, buf);
            packed = buf;
        }
        if (packed && gemm8_avx2(type, w, nb, packed, n8, y, ystride, r0, r1, accumulate)) {
            if (n8 == n) return;
            aq += n8 * nb * 32; ad += n8 * nb; as += n8 * nb; y += n8 * ystride; n -= n8;
        }
    }
    const int64_t rowBytes = nb * block_bytes(type);
    const int64_t npad = (n + 3) & ~(int64_t)3;
    // Scales transposed per call (nb·n floats, small next to the nb·n·rows block dots of the call).
    float stackBuf[2 * 4096];
    float *buf = 2 * nb * npad <= 2 * 4096 ? stackBuf : (float *)malloc(sizeof(float) * 2 * nb * npad);
    if (!buf) return;
    float *adT = buf, *asT = buf + nb * npad;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t i = 0; i < npad; i++) {
            adT[b * npad + i] = i < n ? ad[i * nb + b] : 0;
            asT[b * npad + i] = i < n ? as[i * nb + b] : 0;
        }
    // Weight rows outermost: a row group is read from memory once and stays in L1 while every
    // activation group passes over it (activations, B·cols bytes, stay in L2).
    for (int64_t r = r0; r < r1; r += RK_GW) {
        const int nw = r1 - r < RK_GW ? (int)(r1 - r) : RK_GW;
        for (int64_t off = 0; off < RK_GW * rowBytes; off += 64)
            _mm_prefetch((const char *)(w + (r + 2 * RK_GW) * rowBytes + off), _MM_HINT_T0);
        for (int64_t a = 0; a < n; a += RK_GA) {
            const int na = n - a < RK_GA ? (int)(n - a) : RK_GA;
            // Constant types so the compiler specializes each body.
            if (type == RK_TYPE_Q4_1) gemm_group(RK_TYPE_Q4_1, w, rowBytes, nb, aq, adT, asT, npad, r, nw, a, na, y, ystride, r0, accumulate);
            else if (type == RK_TYPE_Q4_0) gemm_group(RK_TYPE_Q4_0, w, rowBytes, nb, aq, adT, asT, npad, r, nw, a, na, y, ystride, r0, accumulate);
            else if (type == RK_TYPE_Q7_1) gemm_group(RK_TYPE_Q7_1, w, rowBytes, nb, aq, adT, asT, npad, r, nw, a, na, y, ystride, r0, accumulate);
            else gemm_group(RK_TYPE_Q8_0, w, rowBytes, nb, aq, adT, asT, npad, r, nw, a, na, y, ystride, r0, accumulate);
        }
    }
    if (buf != stackBuf) free(buf);
}
#endif

void rk_gemm_q8(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as, int64_t n,
                float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate) {
#if RK_X86
    if (rk_kernels_avx2()) { gemm_avx2(type, (const uint8_t *)w, nb, aq, ad, as, NULL, n, y, ystride, r0, r1, accumulate); return; }
#endif
    for (int64_t i = 0; i < n; i++)
        rk_vec_dot_q8(type, w, nb, aq + i * nb * 32, ad + i * nb, as + i * nb, y + i * ystride, r0, r1, accumulate);
}

size_t rk_gemm_q8_pack_bytes(int64_t n, int64_t nb) {
#if RK_X86
    return gemm8_pack_bytes(gemm8_rows(n), nb);
#else
    (void)n; (void)nb;
    return 0;
#endif
}

void rk_gemm_q8_pack(const int8_t *aq, const float *ad, const float *as, int64_t n, int64_t nb, void *packed) {
#if RK_X86
    // Packed whenever the CPU could use it (not only when the AVX2 bodies are selected), so a caller
    // that packs and then calls rk_gemm_q8_packed is safe whichever body that call takes.
    if (cpu_avx2() && gemm8_rows(n) > 0) gemm8_pack(aq, ad, as, gemm8_rows(n), nb, 0, (gemm8_rows(n) + 7) / 8, (uint8_t *)packed);
#else
    (void)aq; (void)ad; (void)as; (void)n; (void)nb; (void)packed;
#endif
}

int64_t rk_gemm_q8_pack_groups(int64_t n) {
#if RK_X86
    return cpu_avx2() ? (gemm8_rows(n) + 7) / 8 : 0;
#else
    (void)n;
    return 0;
#endif
}

void rk_gemm_q8_pack_range(const int8_t *aq, const float *ad, const float *as, int64_t n, int64_t nb, int64_t g0, int64_t g1,
                           void *packed) {
#if RK_X86
    if (cpu_avx2() && gemm8_rows(n) > 0) gemm8_pack(aq, ad, as, gemm8_rows(n), nb, g0, g1, (uint8_t *)packed);
#else
    (void)aq; (void)ad; (void)as; (void)n; (void)nb; (void)g0; (void)g1; (void)packed;
#endif
}

void rk_gemm_q8_packed(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                       const void *packed, int64_t n, float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate) {
#if RK_X86
    if (rk_kernels_avx2()) {
        gemm_avx2(type, (const uint8_t *)w, nb, aq, ad, as, (const uint8_t *)packed, n, y, ystride, r0, r1, accumulate);
        return;
    }
#endif
    (void)packed;
    rk_gemm_q8(type, w, nb, aq, ad, as, n, y, ystride, r0, r1, accumulate);
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
        } else if (is_byte_unsigned(type)) {
            float m = half_at(blk + 2);
            for (int j = 0; j < 32; j++) o[j] = d * (float)blk[4 + j] + m;
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
        } else if (is_byte_unsigned(type)) {
            q = _mm256_loadu_si256((const __m256i *)(blk + 4));
            m = _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)(blk + 2)));
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
