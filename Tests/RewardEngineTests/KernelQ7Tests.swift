import CEngineKernels
import Foundation
import Testing
@testable import RewardEngine

/// RewardKit's 7-bit weight block (Q7_1: f16 d, f16 m, 32 bytes q ∈ 0..127, w = d·q + m), made at load by
/// `rk_quantize_weights` for the `q7` weights mode. The kernels' exactness for Q7_1 (GEMM rows == row-alone
/// dots, dots == dequantized reference) runs in `KernelTests`/`KernelGemmTileTests` with the other types.
extension KernelTests {
    static func quantizeQ7(_ x: [Float]) -> (blocks: [UInt8], rc: Int32) {
        var blocks = [UInt8](repeating: 0, count: x.count / 32 * 36)
        let rc = blocks.withUnsafeMutableBytes { rk_quantize_weights(Int32(RK_TYPE_Q7_1), x, Int64(x.count), $0.baseAddress!) }
        return (blocks, rc)
    }

    /// dequantize(quantize(w)) is within half a step d of w, the block uses the whole 0..127 range
    /// (so the step is (max − min)/127, not coarser), and both dequantize bodies agree with the layout.
    @Test func q7QuantizeRoundTripsWithinHalfAStep() throws {
        var rng = RNG(s: 77)
        let blocks = 40
        var x = (0..<(32 * blocks)).map { _ in rng.float(-0.08, 0.08) }
        for j in 0..<32 { x[32 * 2 + j] = 0.25 }                       // constant block (d = 0)
        for j in 0..<32 { x[32 * 3 + j] = 3 + Float(j) * 0.01 }       // all positive, narrow range
        for j in 0..<32 { x[32 * 4 + j] = -1000 + Float(j) * 7 }      // large, all negative
        x[32 * 5] = 1e-9; x[32 * 5 + 1] = -1e-9                        // tiny values next to normal ones
        let (q, rc) = Self.quantizeQ7(x)
        #expect(rc == 0)
        let ref = Self.referenceDequantize(.q7_1, q, count: x.count)
        for b in 0..<blocks {
            let o = b * 36
            let d = Double(Float16(bitPattern: UInt16(q[o]) | UInt16(q[o + 1]) << 8))
            let vals = q[(o + 4)..<(o + 36)]
            #expect(vals.allSatisfy { $0 <= 127 }, "block \(b)")
            let block = x[(32 * b)..<(32 * b + 32)]
            let range = Double(block.max()! - block.min()!)
            if range > 0 {
                #expect(vals.max()! >= 126, "block \(b) uses the range: max q \(vals.max()!)")
                // d is (max − m)/127 rounded up to f16, m = min rounded down to f16 (at most one f16 ulp below).
                let ulpMin = abs(Double(block.min()!)) / 1024 + 1e-7
                #expect(d <= (range + ulpMin) / 127 * 1.001, "block \(b): d \(d) for range \(range)")
            }
            for j in 0..<32 {
                let err = abs(ref[32 * b + j] - Double(x[32 * b + j]))
                let bound = range > 0 ? d / 2 * 1.0001 + 1e-6 * abs(Double(x[32 * b + j])) : abs(Double(x[32 * b + j])) * 1e-3
                #expect(err <= bound, "block \(b) element \(j): \(err) > \(bound)")
            }
        }
        try Self.withBothPaths {
            var deq = [Float](repeating: .nan, count: x.count)
            q.withUnsafeBytes { rk_dequantize_rows(Int32(RK_TYPE_Q7_1), $0.baseAddress!, Int64(blocks), &deq, 0, 1) }
            let bad = deq.indices.filter { abs(Double(deq[$0]) - ref[$0]) > 1e-6 * max(1, abs(ref[$0])) }
            #expect(bad.isEmpty, "\(bad.count) elements differ (avx2 \(rk_kernels_avx2()))")
            var viaBlocks = [Float](repeating: .nan, count: x.count)
            try q.withUnsafeBytes { try QuantBlocks.dequantize(.q7_1, $0.baseAddress!, &viaBlocks, count: x.count) }
            #expect(viaBlocks.map(\.bitPattern) == deq.map(\.bitPattern))
        }
    }

    /// A value that is not finite, or a range an f16 scale cannot hold, is refused (never garbage blocks).
    @Test func q7QuantizeRefusesWhatF16CannotHold() {
        var x = [Float](repeating: 0.5, count: 64)
        x[40] = .nan
        #expect(Self.quantizeQ7(x).rc == -1)
        x[40] = 70000
        #expect(Self.quantizeQ7(x).rc == -1)
        x[40] = .infinity
        #expect(Self.quantizeQ7(x).rc == -1)
        x[40] = 1
        #expect(Self.quantizeQ7(x).rc == 0)
        // Other type ids are not made here.
        var out = [UInt8](repeating: 0, count: 72)
        #expect(out.withUnsafeMutableBytes { rk_quantize_weights(Int32(RK_TYPE_Q8_0), x, 64, $0.baseAddress!) } == -1)
    }

    /// A GGUF file may not declare RewardKit's internal block id.
    @Test func q7IsNotAGGUFType() {
        #expect(GGMLType.q7_1.isInternal)
        #expect(!GGMLType.supportedNames.contains("Q7_1"))
    }
}
