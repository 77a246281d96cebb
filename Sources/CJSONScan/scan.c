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

size_t rk_json_find_special(const uint8_t *p, size_t n) { return find(p, n, 0); }

size_t rk_json_find_special_or_utf8(const uint8_t *p, size_t n) { return find(p, n, 1); }
