import CEngineKernels
import Foundation
import Testing
@testable import RewardEngine

/// The many-row integer GEMM (weight tiles unpacked once per call, activations interleaved once per
/// projection by `rk_gemm_q8_pack`) against `rk_vec_dot_q8` on each activation row alone: every output
/// row bit-identical, for every quant type, batch sizes around the 8-sequence groups, ragged tiles and
/// row slices, with and without accumulation, and through `Linear.apply`'s slicing.
/// An extension of the serialized `KernelTests` suite: those tests force the portable kernels process-wide
/// for a moment, which must not happen while these compare two AVX2 entry points.
extension KernelTests {
    struct Case {
        let q: [Int8], d: [Float], s: [Float]
    }

    static func quantized(n: Int, cols: Int, rng: inout KernelTests.RNG) -> Case {
        let x = (0..<(n * cols)).map { _ in rng.float(-3, 3) }
        var q = [Int8](repeating: 0, count: n * cols), d = [Float](repeating: 0, count: n * cols / 32), s = d
        rk_quantize_q8(x, Int64(n * cols), &q, &d, &s)
        return Case(q: q, d: d, s: s)
    }

    /// Rows [r0, r1) of W·aᵢ for each activation i alone, written at stride `stride` over `seed`.
    static func rowByRow(_ type: GGMLType, _ w: [UInt8], nb: Int, _ c: Case, n: Int, r0: Int, r1: Int, stride: Int,
                         seed: [Float], accumulate: Int32) -> [Float] {
        var out = seed
        let cols = nb * 32
        for i in 0..<n {
            let qi = Array(c.q[(i * cols)..<((i + 1) * cols)]), di = Array(c.d[(i * nb)..<((i + 1) * nb)])
            let si = Array(c.s[(i * nb)..<((i + 1) * nb)])
            out.withUnsafeMutableBufferPointer { y in
                w.withUnsafeBytes {
                    rk_vec_dot_q8(Int32(type.rawValue), $0.baseAddress!, Int64(nb), qi, di, si, y.baseAddress! + i * stride,
                                  Int64(r0), Int64(r1), accumulate)
                }
            }
        }
        return out
    }

    /// Both entry points (internal packing and caller packing) on one row slice.
    static func gemmBoth(_ type: GGMLType, _ w: [UInt8], nb: Int, _ c: Case, n: Int, r0: Int, r1: Int, stride: Int,
                         seed: [Float], accumulate: Int32) -> ([Float], [Float]) {
        var plain = seed, packed = seed
        w.withUnsafeBytes { wp in
            rk_gemm_q8(Int32(type.rawValue), wp.baseAddress!, Int64(nb), c.q, c.d, c.s, Int64(n), &plain, Int64(stride),
                       Int64(r0), Int64(r1), accumulate)
            let bytes = rk_gemm_q8_pack_bytes(Int64(n), Int64(nb))
            let buf = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
            defer { buf.deallocate() }
            rk_gemm_q8_pack(c.q, c.d, c.s, Int64(n), Int64(nb), buf)
            rk_gemm_q8_packed(Int32(type.rawValue), wp.baseAddress!, Int64(nb), c.q, c.d, c.s, buf, Int64(n), &packed,
                              Int64(stride), Int64(r0), Int64(r1), accumulate)
        }
        return (plain, packed)
    }

    /// Both GEMM entry points give every row of the slice bit for bit what `rk_vec_dot_q8` gives it alone.
    static func expectGemmEqualsDot(_ type: GGMLType, _ w: [UInt8], nb: Int, _ c: Case, n: Int, r0: Int, r1: Int,
                                    stride: Int, seed: [Float], accumulate: Int32, _ label: String) {
        let alone = rowByRow(type, w, nb: nb, c, n: n, r0: r0, r1: r1, stride: stride, seed: seed, accumulate: accumulate)
        let (plain, packed) = gemmBoth(type, w, nb: nb, c, n: n, r0: r0, r1: r1, stride: stride, seed: seed,
                                       accumulate: accumulate)
        #expect(plain.map(\.bitPattern) == alone.map(\.bitPattern), "\(label)")
        #expect(packed.map(\.bitPattern) == alone.map(\.bitPattern), "\(label) (packed)")
    }

    /// 150 rows of 768 columns: two full 64-row tiles and a ragged one (22 rows: a partial 4-row group);
    /// the slice 5..<147 starts and ends inside tiles and groups.
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0, .q7_1])
    func manyRowGemmEqualsRowByRowDot(type: GGMLType) {
        var rng = KernelTests.RNG(s: 301 + UInt64(type.rawValue))
        let rows = 150, cols = 32 * 24, nb = cols / 32
        let w = KernelTests.randomRows(type, rows: rows, cols: cols, rng: &rng)
        for n in [1, 3, 8, 9, 17, 64, 300] {
            let c = Self.quantized(n: n, cols: cols, rng: &rng)
            for (r0, r1) in [(0, rows), (5, 147)] {
                let stride = rows + 3
                let seed = (0..<(n * stride)).map { Float($0 % 11) * 0.125 - 0.5 }
                for accumulate in [Int32(0), 1] {
                    Self.expectGemmEqualsDot(type, w, nb: nb, c, n: n, r0: r0, r1: r1, stride: stride, seed: seed,
                                             accumulate: accumulate,
                                             "type \(type) n \(n) rows \(r0)..<\(r1) accumulate \(accumulate)")
                }
            }
        }
    }

    /// Wide rows (3,200 columns) shrink the weight tile to a few 4-row groups; odd slice bounds.
    @Test(arguments: [GGMLType.q4_1, .q8_0, .q7_1])
    func wideRowsSmallTiles(type: GGMLType) {
        var rng = KernelTests.RNG(s: 909 + UInt64(type.rawValue))
        let rows = 41, cols = 32 * 100, nb = cols / 32
        let w = KernelTests.randomRows(type, rows: rows, cols: cols, rng: &rng)
        for n in [13, 40] {
            let c = Self.quantized(n: n, cols: cols, rng: &rng)
            let seed = [Float](repeating: 0.75, count: n * rows)
            Self.expectGemmEqualsDot(type, w, nb: nb, c, n: n, r0: 1, r1: 38, stride: rows, seed: seed, accumulate: 1,
                                     "type \(type) n \(n)")
        }
    }

    /// Many sequences go through the 8-sequence kernel in blocks of groups (~384 KB of interleaved
    /// activations each: 34 groups at 1,024 columns, 11 at 3,072), every block over every weight tile:
    /// n = 2,049 / 2,053 (a lone row for the 4×4 tiles / a padded last group) and 300 / 301 at 3,072 columns
    /// cross several block boundaries, mid-tile slices included; each row stays bit-identical to the dot alone.
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0, .q7_1])
    func activationBlocksEqualRowByRowDot(type: GGMLType) {
        var rng = KernelTests.RNG(s: 7000 + UInt64(type.rawValue))
        for (rows, cols, ns) in [(70, 1024, [2049, 2053]), (21, 3072, [300, 301])] {
            let nb = cols / 32
            let w = KernelTests.randomRows(type, rows: rows, cols: cols, rng: &rng)
            for n in ns {
                let c = Self.quantized(n: n, cols: cols, rng: &rng)
                let seed = (0..<(n * rows)).map { Float($0 % 7) * 0.25 - 0.75 }
                for (r0, r1, accumulate) in [(0, rows, Int32(0)), (3, rows - 2, Int32(1))] {
                    Self.expectGemmEqualsDot(type, w, nb: nb, c, n: n, r0: r0, r1: r1, stride: rows, seed: seed,
                                             accumulate: accumulate, "type \(type) \(rows)×\(cols) n \(n) rows \(r0)..<\(r1)")
                }
            }
        }
    }

    /// `Linear.apply` on the integer path (activations packed once, rows sliced across 2 threads, two
    /// stacked parts of different types) gives each row exactly what applying it alone gives.
    @Test func linearApplyManyRowsEqualsOneRowAtATime() throws {
        var rng = KernelTests.RNG(s: 4242)
        let cols = 32 * 16
        let a = KernelTests.randomRows(.q4_1, rows: 200, cols: cols, rng: &rng)
        let b = KernelTests.randomRows(.q8_0, rows: 92, cols: cols, rng: &rng)
        try a.withUnsafeBytes { ap in
            try b.withUnsafeBytes { bp in
                let linear = try Linear(parts: [WeightTensor(name: "a", dims: [cols, 200], type: .q4_1, data: ap.baseAddress!),
                                                WeightTensor(name: "b", dims: [cols, 92], type: .q8_0, data: bp.baseAddress!)],
                                        cols: cols, dense: false)
                #expect(linear.hasKernel)
                let ws = Workspace()
                for n in [9, 70] {
                    let x = (0..<(n * cols)).map { _ in rng.float(-2, 2) }
                    var all = [Float](repeating: 0, count: n * linear.rows)
                    all.withUnsafeMutableBufferPointer { linear.apply(x, rows: n, out: $0.baseAddress!, accumulate: false, threads: 2, workspace: ws) }
                    for i in 0..<n {
                        var one = [Float](repeating: 0, count: linear.rows)
                        let xi = Array(x[(i * cols)..<((i + 1) * cols)])
                        one.withUnsafeMutableBufferPointer { linear.apply(xi, rows: 1, out: $0.baseAddress!, accumulate: false, threads: 2, workspace: ws) }
                        #expect(Array(all[(i * linear.rows)..<((i + 1) * linear.rows)]).map(\.bitPattern) == one.map(\.bitPattern), "n \(n) row \(i)")
                    }
                }
            }
        }
    }
}
