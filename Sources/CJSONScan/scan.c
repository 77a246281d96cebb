#include "rk_json_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>

// Signed compare: x < 0x20 holds for control characters and, as signed bytes are negative, for
// every byte >= 0x80; the variant that must let non-ASCII through masks those back out.
static inline unsigned special_mask(__m128i x, int stop_utf8) {
    const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, b));
    __m128i lt = _mm_cmplt_epi8(x, sp);
    if (!stop_utf8) lt = _mm_andnot_si128(_mm_cmplt_epi8(x, _mm_setzero_si128()), lt);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(m, lt));
}

static inline size_t find(const uint8_t *p, size_t n, int stop_utf8) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        unsigned m0 = special_mask(_mm_loadu_si128((const __m128i *)(p + i)), stop_utf8);
        unsigned m1 = special_mask(_mm_loadu_si128((const __m128i *)(p + i + 16)), stop_utf8);
        if (m0 | m1) return i + (m0 ? (size_t)__builtin_ctz(m0) : 16 + (size_t)__builtin_ctz(m1));
    }
    for (; i + 16 <= n; i += 16) {
        unsigned m = special_mask(_mm_loadu_si128((const __m128i *)(p + i)), stop_utf8);
        if (m) return i + (size_t)__builtin_ctz(m);
    }
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20 || (stop_utf8 && c >= 0x80)) return i;
    }
    return n;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RK_HAVE_AVX2_FIND 1

// The same scan 32 bytes per compare on CPUs with AVX2 (the package builds for baseline x86-64,
// so it is compiled for AVX2 here and chosen at run time). The skip-scan of long string values
// (prompts, responses) was ≈ 4 % of a `score` run's CPU with the SSE2 loop.
__attribute__((target("avx2"))) static size_t find_avx2(const uint8_t *p, size_t n, int stop_utf8) {
    const __m256i q = _mm256_set1_epi8('"'), b = _mm256_set1_epi8('\\'), sp = _mm256_set1_epi8(0x20);
    const __m256i z = _mm256_setzero_si256();
#define RK_SPECIAL32(x) ({ \
        __m256i lt_ = _mm256_cmpgt_epi8(sp, (x)); /* signed x < 0x20: control bytes and bytes >= 0x80 */ \
        if (!stop_utf8) lt_ = _mm256_andnot_si256(_mm256_cmpgt_epi8(z, (x)), lt_); \
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8((x), q), _mm256_cmpeq_epi8((x), b)), lt_); })
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i m0 = RK_SPECIAL32(_mm256_loadu_si256((const __m256i *)(p + i)));
        __m256i m1 = RK_SPECIAL32(_mm256_loadu_si256((const __m256i *)(p + i + 32)));
        if (!_mm256_testz_si256(_mm256_or_si256(m0, m1), _mm256_or_si256(m0, m1))) {
            unsigned k0 = (unsigned)_mm256_movemask_epi8(m0);
            if (k0) return i + (size_t)__builtin_ctz(k0);
            return i + 32 + (size_t)__builtin_ctz((unsigned)_mm256_movemask_epi8(m1));
        }
    }
    for (; i + 32 <= n; i += 32) {
        unsigned k = (unsigned)_mm256_movemask_epi8(RK_SPECIAL32(_mm256_loadu_si256((const __m256i *)(p + i))));
        if (k) return i + (size_t)__builtin_ctz(k);
    }
#undef RK_SPECIAL32
    return i + find(p + i, n - i, stop_utf8);
}

static inline size_t find_best(const uint8_t *p, size_t n, int stop_utf8) {
    // Short runs (keys, short values) gain nothing from the wider loop.
    if (n >= 64 && __builtin_cpu_supports("avx2")) return find_avx2(p, n, stop_utf8);
    return find(p, n, stop_utf8);
}
#endif

size_t rk_find_non_ascii(const uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(p + i)));
        if (m) return i + (size_t)__builtin_ctz(m);
    }
    for (; i < n; i++)
        if (p[i] >= 0x80) return i;
    return n;
}
#else
size_t rk_find_non_ascii(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x80) return i;
    return n;
}

static inline size_t find(const uint8_t *p, size_t n, int stop_utf8) {
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20 || (stop_utf8 && c >= 0x80)) return i;
    }
    return n;
}
#endif

#if defined(RK_HAVE_AVX2_FIND)
size_t rk_json_find_special(const uint8_t *p, size_t n) { return find_best(p, n, 0); }

size_t rk_json_find_special_or_utf8(const uint8_t *p, size_t n) { return find_best(p, n, 1); }
#else
size_t rk_json_find_special(const uint8_t *p, size_t n) { return find(p, n, 0); }

size_t rk_json_find_special_or_utf8(const uint8_t *p, size_t n) { return find(p, n, 1); }
#endif
