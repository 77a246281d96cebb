import Foundation

/// Throughput of one projection (`Linear.apply`, the call every layer makes) on random weights:
/// the integer path (activations rounded to 8-bit blocks, `rk_gemm_q8`) against f32 sgemm on a
/// dequantized copy of the same weights (OpenBLAS, single-threaded per slice), for n activation rows.
public enum GemmBenchmark {
    public struct Result: Sendable {
        public let type: GGMLType
        public let rows: Int
        public let cols: Int
        public let n: Int
        public let threads: Int
        /// Multiply-accumulates per second (rows · cols · n / s), in units of 10⁹.
        public let int8GMACs: Double
        public let f32GMACs: Double
    }

    /// Random valid blocks (finite f16 scales) of a 32-element quant type.
    static func randomBlocks(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var s = seed | 1
        func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        func half(_ x: Float) -> [UInt8] { withUnsafeBytes(of: Float16(x).bitPattern.littleEndian) { Array($0) } }
        func unit() -> Float { Float(next() % 1_000_000) / 1_000_000 }
        var out: [UInt8] = []
        out.reserveCapacity(rows * cols / 32 * type.blockBytes)
        for _ in 0..<(rows * cols / 32) {
            switch type {
            case .q4_1: out += half(0.001 + 0.05 * unit()) + half(-0.4 + 0.5 * unit())
            case .q7_1: out += half(0.0002 + 0.006 * unit()) + half(-0.4 + 0.5 * unit())
            default: out += half(0.0005 + 0.01 * unit())
            }
            let payload = type.blockBytes - (type == .q4_1 || type == .q7_1 ? 4 : 2)
            // Q7_1 bytes are 0..127.
            for _ in 0..<payload { out.append(UInt8(truncatingIfNeeded: next()) & (type == .q7_1 ? 127 : 255)) }
        }
        return out
    }

    /// Measures one shape: `rows` outputs, `cols` inputs, `n` activation rows, `threads` workers.
    /// Each path is run until at least `seconds` have passed (after one warm-up call); best of 3 rounds.
    public static func measure(type: GGMLType, rows: Int, cols: Int, n: Int, threads: Int,
                               seconds: Double = 0.3) throws -> Result {
        precondition([.q4_0, .q4_1, .q8_0, .q7_1].contains(type) && cols % 32 == 0)
        // As the model does: our workers split the rows, each calling single-threaded OpenBLAS.
        try BLAS.load()
        let bytes = randomBlocks(type, rows: rows, cols: cols, seed: UInt64(rows * 31 + cols))
        return try bytes.withUnsafeBytes { raw -> Result in
            let w = WeightTensor(name: "bench", dims: [cols, rows], type: type, data: raw.baseAddress!)
            let quant = try Linear(parts: [w], cols: cols, dense: false)
            let dense = try Linear(parts: [w], cols: cols, dense: true)
            let ws = Workspace()
            let x = FloatBuffer(count: n * cols, zeroed: false)
            var s: UInt64 = 0x9E3779B97F4A7C15
            for i in 0..<(n * cols) {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17
                x.pointer[i] = Float(Int(s % 2001) - 1000) / 500
            }
            let y = FloatBuffer(count: n * rows, zeroed: true)
            func rate(_ body: () -> Void) -> Double {
                body()
                var best = 0.0
                for _ in 0..<3 {
                    var calls = 0
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    var elapsed = 0.0
                    repeat {
                        body()
                        calls += 1
                        elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    } while elapsed < seconds / 3
                    best = max(best, Double(rows * cols * n * calls) / elapsed / 1e9)
                }
                return best
            }
            let q = rate { quant.apply(x.pointer, rows: n, out: y.pointer, accumulate: false, threads: threads, workspace: ws) }
            let f = rate {
                dense.apply(x.pointer, rows: n, out: y.pointer, accumulate: false, threads: threads, workspace: ws,
                            useKernel: false)
            }
            return Result(type: type, rows: rows, cols: cols, n: n, threads: threads, int8GMACs: q, f32GMACs: f)
        }
    }
}
