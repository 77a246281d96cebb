import CEngineKernels

/// A projection y = W·x with W [rows × cols] made of one or more weight tensors (GGUF blocks or
/// safetensors arrays, see `WeightSource`) stacked by rows, read in place from the memory-mapped file.
///
/// Two paths, chosen per call:
/// - Decode steps (one new token per sequence, any number of sequences) with Q4_0/Q4_1/Q8_0 weights:
///   activations are rounded to 8-bit blocks and dotted with the quantized blocks (AVX2 kernels in
///   `CEngineKernels`), as llama.cpp's decode does. One row: matrix-vector (memory-bound, 0.6–1.1 bytes
///   per weight). B rows: a B-row integer GEMM that decodes each weight block once for all rows, so a
///   batched step reads the weights once; each row's result is bit-identical to decoding it alone.
/// - Batches (prefill, scoring) and `exact` precision: f32 sgemm (OpenBLAS) on dequantized weights, so
///   scoring is the exact math of the dequantized model and does not depend on how sequences are
///   batched. The f32 copy is kept in memory when the model allows it (`dense`); otherwise each worker
///   dequantizes tiles of rows into its scratch just before multiplying them.
/// Work is split by output rows across our worker threads, each calling single-threaded OpenBLAS.
final class Linear: @unchecked Sendable {
    struct Part {
        let type: GGMLType
        let data: UnsafeRawPointer
        /// First row of this part within the stacked matrix.
        let rowStart: Int
        let rows: Int
        let rowBytes: Int
        /// Element type id for `rk_vec_dot_q8`, or nil when the integer kernel does not cover the type.
        var kernelType: Int32? {
            switch type {
            case .q4_0: return Int32(RK_TYPE_Q4_0)
            case .q4_1: return Int32(RK_TYPE_Q4_1)
            case .q8_0: return Int32(RK_TYPE_Q8_0)
            case .q7_1: return Int32(RK_TYPE_Q7_1)
            default: return nil
            }
        }
    }

    let rows: Int
    let cols: Int
    let parts: [Part]
    /// f32 copy of W, when kept.
    let dense: FloatBuffer?
    /// True when every part can use the integer decode kernel.
    let hasKernel: Bool
    /// Rows per dequantized tile when there is no dense copy (tile × cols floats per worker).
    static let tileRows = 128

    init(parts infos: [WeightTensor], cols: Int, dense keepDense: Bool) throws {
        self.cols = cols
        var ps: [Part] = []
        var r0 = 0
        for t in infos {
            let rowBytes = cols / t.type.blockSize * t.type.blockBytes
            ps.append(Part(type: t.type, data: t.data, rowStart: r0, rows: t.dims[1], rowBytes: rowBytes))
            r0 += t.dims[1]
        }
        rows = r0
        parts = ps
        hasKernel = cols % 32 == 0 && ps.allSatisfy { $0.kernelType != nil }
        if keepDense {
            let w = FloatBuffer(count: rows * cols, zeroed: false)
            for p in ps { try Self.dequantize(p, rows: 0..<p.rows, cols: cols, into: w.pointer + p.rowStart * cols) }
            dense = w
        } else {
            dense = nil
        }
    }

    /// Bytes this projection keeps in memory beyond the mapped file.
    var bytes: Int { dense.map { $0.count * 4 } ?? 0 }

    static func dequantize(_ p: Part, rows r: Range<Int>, cols: Int, into dst: UnsafeMutablePointer<Float>) throws {
        try QuantBlocks.dequantize(p.type, p.data + r.lowerBound * p.rowBytes, dst, count: r.count * cols)
    }

    /// out[r, :] (=|+=) W · x[r, :] for r in 0..<n (x is [n × cols], out is [n × self.rows]).
    /// `useKernel`: the integer decode kernels (any n); false forces f32 (exact precision, prefill).
    /// `perRow`: in f32, each row by its own matrix-vector product, so a row's result does not depend on
    /// which other rows share the call (batched f32 decode == decoding alone, bit for bit).
    func apply(_ x: UnsafePointer<Float>, rows n: Int, out: UnsafeMutablePointer<Float>, accumulate: Bool, threads: Int,
               workspace ws: Workspace, useKernel: Bool = true, perRow: Bool = false) {
        let total = rows, cols = self.cols
        if hasKernel && useKernel {
            let nb = cols / 32
            let aq = ws.activations(rows: n, cols: cols)
            // Many rows: interleave the activations for the GEMM microkernel once here, not once per slice.
            let packBytes = n > 1 ? rk_gemm_q8_pack_bytes(Int64(n), Int64(nb)) : 0
            let packed: UnsafeMutableRawPointer? = packBytes > 0 ? ws.gemmPack(bytes: packBytes) : nil
            if threads > 1 && n >= 64 {
                // Rounding and packing in parallel too (a serial prefix of every projection otherwise), by
                // groups of 8 rows: each block rounds alone and each group packs alone, so the result is the
                // same bytes as the one-thread path.
                let groups = (n + 7) / 8, chunks = min(threads * 2, groups)
                WorkerPool.shared.run(chunks, threads: threads) { c in
                    let g0 = groups * c / chunks, g1 = groups * (c + 1) / chunks
                    let r0 = 8 * g0, r1 = min(8 * g1, n)
                    rk_quantize_q8(x + r0 * cols, Int64((r1 - r0) * cols), aq.qs + r0 * cols, aq.d + r0 * nb, aq.s + r0 * nb)
                    if let packed { rk_gemm_q8_pack_range(aq.qs, aq.d, aq.s, Int64(n), Int64(nb), Int64(g0), Int64(g1), packed) }
                }
            } else {
                rk_quantize_q8(x, Int64(n * cols), aq.qs, aq.d, aq.s)
                if let packed { rk_gemm_q8_pack(aq.qs, aq.d, aq.s, Int64(n), Int64(nb), packed) }
            }
            // More slices than threads so a briefly delayed thread does not stall the others.
            let slices = max(1, min(threads * 4, total / 64))
            let parts = self.parts
            WorkerPool.shared.run(slices, threads: threads) { s in
                let lo = (total * s / slices) & ~3, hi = s == slices - 1 ? total : (total * (s + 1) / slices) & ~3
                for p in parts {
                    let a = max(lo, p.rowStart), b = min(hi, p.rowStart + p.rows)
                    guard a < b else { continue }
                    if n == 1 {
                        rk_vec_dot_q8(p.kernelType!, p.data, Int64(nb), aq.qs, aq.d, aq.s,
                                      out + a, Int64(a - p.rowStart), Int64(b - p.rowStart), accumulate ? 1 : 0)
                    } else {
                        rk_gemm_q8_packed(p.kernelType!, p.data, Int64(nb), aq.qs, aq.d, aq.s, packed, Int64(n),
                                          out + a, Int64(total), Int64(a - p.rowStart), Int64(b - p.rowStart), accumulate ? 1 : 0)
                    }
                }
            }
            return
        }
        let beta: Float = accumulate ? 1 : 0
        let slices = max(1, min(threads, total / 64))
        @Sendable func slice(_ p: Int) -> Range<Int> {
            let lo = (total * p / slices) & ~15, hi = p == slices - 1 ? total : (total * (p + 1) / slices) & ~15
            return lo..<hi
        }
        // y[:, rows] (=|+=) x · W[rows]ᵀ for W rows starting at w.
        func multiply(_ w: UnsafePointer<Float>, _ r: Range<Int>) {
            if n == 1 || perRow {
                for i in 0..<n {
                    BLAS.sgemv(m: r.count, n: cols, alpha: 1, w, lda: cols,
                               x + i * cols, beta: beta, out + i * total + r.lowerBound)
                }
            } else {
                BLAS.sgemm(transB: true, m: n, n: r.count, k: cols, alpha: 1,
                           x, lda: cols, w, ldb: cols, beta: beta, out + r.lowerBound, ldc: total)
            }
        }
        if let w = dense?.pointer {
            WorkerPool.shared.run(slices, threads: slices) { p in
                let r = slice(p)
                multiply(w + r.lowerBound * cols, r)
            }
            return
        }
        let parts = self.parts
        let tiles = ws.tiles(count: slices, floats: Self.tileRows * cols)
        WorkerPool.shared.run(slices, threads: slices) { s in
            let r = slice(s)
            let tile = tiles[s]
            var t0 = r.lowerBound
            while t0 < r.upperBound {
                // A tile never crosses a part boundary (parts may differ in type).
                let p = parts.last { $0.rowStart <= t0 }!
                let t1 = min(r.upperBound, t0 + Self.tileRows, p.rowStart + p.rows)
                try? Self.dequantize(p, rows: (t0 - p.rowStart)..<(t1 - p.rowStart), cols: cols, into: tile)
                multiply(tile, t0..<t1)
                t0 = t1
            }
        }
    }
}
