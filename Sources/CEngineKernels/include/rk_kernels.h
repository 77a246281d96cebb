// Hot loops of RewardKit's engine that need instructions Swift cannot select per function:
// AVX2/FMA/F16C integer dot products on GGUF quant blocks, chosen at run time (portable C otherwise),
// so one binary runs on any x86-64 (and on arm64) and is fast where AVX2 exists.
#ifndef RK_KERNELS_H
#define RK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// GGML tensor type ids handled by the integer kernels (same numbering as GGUF).
enum { RK_TYPE_Q4_0 = 2, RK_TYPE_Q4_1 = 3, RK_TYPE_Q8_0 = 8 };

/// RewardKit's own weight block for quantizing f32/f16/bf16 checkpoints at load (an id outside GGUF's
/// range, never read from a file): 32 weights, f16 d, f16 m, 32 unsigned bytes q ∈ 0..127, w = d·q + m.
/// Unsigned weights take `vpmaddubsw` directly, as Q4_1's nibbles do (no sign trick as Q8_0 needs).
enum { RK_TYPE_Q7_1 = 1007 };

/// Quantizes n floats (n a multiple of 32) to n/32 Q7_1 blocks (36 bytes each) at `blocks`: per block
/// m = f16(min) rounded down, d = f16((max − m)/127) rounded up, q = round((x − m)/d), so
/// |x − (d·q + m)| ≤ d/2 (+ f32 rounding). Returns 0, or −1 for another type, a value that is not
/// finite or a block whose range does not fit f16 (blocks written up to there).
int rk_quantize_weights(int type, const float *x, int64_t n, void *blocks);

/// 1 when the AVX2+FMA+F16C kernels are in use, 0 for the portable ones.
int rk_kernels_avx2(void);

/// Forces the portable kernels (tests compare both paths); 0 restores run-time detection.
void rk_kernels_force_portable(int on);

/// Quantizes n floats (n a multiple of 32) to 8-bit blocks of 32 as llama.cpp's Q8_1 does: per block
/// d = max|x|/127 (stored f16-rounded), q = round-half-even(x·127/max|x|), s = f16(d_f32·Σq).
void rk_quantize_q8(const float *x, int64_t n, int8_t *qs, float *d, float *s);

/// For rows r in [r0, r1) of a tensor of `type` whose rows are `nb` blocks of 32 stored back to back
/// from `w` (GGUF layout, f16 scales): y[r - r0] (= or +=) dot(row r, activation) with the activation in
/// the rk_quantize_q8 format.
void rk_vec_dot_q8(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                   float *y, int64_t r0, int64_t r1, int accumulate);

/// Batched form of rk_vec_dot_q8 for `n` activation rows (row i at aq + i·nb·32, ad/as + i·nb):
/// y[i·ystride + r − r0] (= or +=) dot(row r, activation i). Each weight block is decoded once and used
/// for every activation row, so the weights stream from memory once per call; every (r, i) result is
/// bit-identical to rk_vec_dot_q8 on activation i alone (same operations in the same order), so a
/// sequence decodes the same whatever batch it is in.
void rk_gemm_q8(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as, int64_t n,
                float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate);

/// Bytes of the interleaved activations rk_gemm_q8_pack writes for n rows of nb blocks (0 when unused).
size_t rk_gemm_q8_pack_bytes(int64_t n, int64_t nb);

/// Interleaves n activation rows (rk_quantize_q8 format) into `packed` (rk_gemm_q8_pack_bytes bytes,
/// 64-byte aligned) once, so a GEMM split into many row slices does not redo it per slice.
void rk_gemm_q8_pack(const int8_t *aq, const float *ad, const float *as, int64_t n, int64_t nb, void *packed);

/// Groups of 8 activation rows that rk_gemm_q8_pack interleaves for n rows (0 when it packs nothing).
int64_t rk_gemm_q8_pack_groups(int64_t n);

/// The part of rk_gemm_q8_pack for groups [g0, g1) (of rk_gemm_q8_pack_groups(n)): reads only activation
/// rows [8·g0, min(8·g1, n)) and writes only their share of `packed`, so threads can pack disjoint
/// group ranges concurrently (rows quantized by rk_quantize_q8 just before, by the same thread).
void rk_gemm_q8_pack_range(const int8_t *aq, const float *ad, const float *as, int64_t n, int64_t nb, int64_t g0, int64_t g1,
                           void *packed);

/// rk_gemm_q8 with the same activations also given packed by rk_gemm_q8_pack (same n and nb, and the
/// same kernel selection); results identical to rk_gemm_q8.
void rk_gemm_q8_packed(int type, const void *w, int64_t nb, const int8_t *aq, const float *ad, const float *as,
                       const void *packed, int64_t n, float *y, int64_t ystride, int64_t r0, int64_t r1, int accumulate);

/// Dequantizes rows [r0, r1) (nb blocks each) of a Q4_0/Q4_1/Q8_0/Q7_1 tensor to f32, row-major into out.
void rk_dequantize_rows(int type, const void *w, int64_t nb, float *out, int64_t r0, int64_t r1);

/// Partial decode attention of the `heads` query heads that share one KV head, over keys [j0, j1)
/// (split-K, "flash decoding"): for each head h, m[h] = max score, l[h] = Σ e^(score−m[h]) and
/// acc[h·dim …] = Σ e^(score−m[h])·v_j. Queries are `dim` floats apart; `scratch` holds heads·(j1−j0).
/// Partials over disjoint key ranges combine exactly with rk_attend_merge.
void rk_attend_partial(const float *q, int64_t heads, const float *k, const float *v, int64_t stride, int64_t dim,
                       int64_t j0, int64_t j1, float scale, float *scratch, float *acc, float *m, float *l);

/// out[h·dim …] = Σ_c e^(m_c−M)·acc_c / Σ_c e^(m_c−M)·l_c over `parts` partials laid out
/// part-major (acc: parts × heads × dim, m and l: parts × heads).
void rk_attend_merge(int64_t parts, int64_t heads, int64_t dim, const float *acc, const float *m, const float *l,
                     float *out);

#ifdef __cplusplus
}
#endif
#endif
