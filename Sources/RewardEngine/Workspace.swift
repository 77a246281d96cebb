/// Scratch memory reused across forward passes of one model (callers are serialized by the model lock):
/// 8-bit activation blocks for the decode kernel, per-worker tiles for on-the-fly dequantization, and
/// the partial results of split-K decode attention.
final class Workspace: @unchecked Sendable {
    struct Q8Rows {
        let qs: UnsafeMutablePointer<Int8>
        let d: UnsafeMutablePointer<Float>
        let s: UnsafeMutablePointer<Float>
    }

    private var q8Capacity = 0
    private var q8: (qs: UnsafeMutablePointer<Int8>, d: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>)?
    private var tileBuffers: [FloatBuffer] = []
    private var attentionBuffer = FloatBuffer(count: 1 << 16, zeroed: false)
    private var packBuffer: UnsafeMutableRawPointer?
    private var packCapacity = 0

    func activations(rows: Int, cols: Int) -> Q8Rows {
        let n = rows * cols
        if n > q8Capacity {
            if let old = q8 { old.qs.deallocate(); old.d.deallocate(); old.s.deallocate() }
            q8 = (.allocate(capacity: n), .allocate(capacity: n / 32 + 1), .allocate(capacity: n / 32 + 1))
            q8Capacity = n
        }
        return Q8Rows(qs: q8!.qs, d: q8!.d, s: q8!.s)
    }

    /// 64-byte aligned scratch for activations interleaved once per projection (`rk_gemm_q8_pack`).
    func gemmPack(bytes: Int) -> UnsafeMutableRawPointer {
        if let b = packBuffer, bytes <= packCapacity { return b }
        packBuffer?.deallocate()
        packCapacity = max(bytes, 64)
        let b = UnsafeMutableRawPointer.allocate(byteCount: packCapacity, alignment: 64)
        packBuffer = b
        return b
    }

    /// Scratch for split-K decode attention.
    func attention(floats: Int) -> UnsafeMutablePointer<Float> {
        if attentionBuffer.count < floats { attentionBuffer = FloatBuffer(count: floats * 2, zeroed: false) }
        return attentionBuffer.pointer
    }

    func tiles(count: Int, floats: Int) -> [UnsafeMutablePointer<Float>] {
        while tileBuffers.count < count { tileBuffers.append(FloatBuffer(count: floats, zeroed: false)) }
        for i in 0..<count where tileBuffers[i].count < floats { tileBuffers[i] = FloatBuffer(count: floats, zeroed: false) }
        return tileBuffers.prefix(count).map(\.pointer)
    }

    deinit {
        if let old = q8 { old.qs.deallocate(); old.d.deallocate(); old.s.deallocate() }
        packBuffer?.deallocate()
    }
}
