#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A `WeightSource` that serves another source's projection matrices (attention, MLP, LM head) as Q8_0
/// blocks quantized at load — 32 weights share one f16 scale, each rounded to 8 bits, as llama.cpp's
/// `quantize` writes them — so batches run through the int8 kernel (`Linear` with `useKernel`). Norms,
/// biases and the embedding pass through unchanged. This is how a bf16/f16/f32 Hugging Face checkpoint
/// gets the `q8` weights mode without a second transformer implementation.
///
/// Memory: 34 bytes per 32 weights (1.06 bytes per weight) held here; the source pages read while
/// quantizing are released again so the mapped file does not stay resident.
final class Q8WeightSource: WeightSource, @unchecked Sendable {
    let base: any WeightSource
    private var blocks: [String: WeightTensor] = [:]
    private var owned: [UnsafeMutableRawPointer] = []
    /// Bytes of Q8_0 blocks held.
    private(set) var bytes = 0

    var sourcePath: String { base.sourcePath }

    /// GGUF names of the projections `LlamaModel` multiplies with (the ones worth quantizing).
    static func projectionNames(layers: Int) -> [String] {
        var names = ["output.weight"]
        for i in 0..<layers {
            for t in ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] { names.append("blk.\(i).\(t).weight") }
        }
        return names
    }

    init(_ base: any WeightSource, names: [String], threads: Int) throws {
        self.base = base
        for name in names {
            guard let t = try base.weight(name) else { continue }
            guard t.dims.count == 2, t.dims[0] % 32 == 0, [.f32, .f16, .bf16].contains(t.type) else { continue }
            let cols = t.dims[0], rows = t.dims[1], nb = cols / 32
            let rowBytes = nb * 34
            let dst = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes, alignment: 64)
            owned.append(dst)
            let box = UncheckedSendable((t, dst))
            parallelRows(rows, max(1, threads)) { r in
                let (t, dst) = box.value
                Self.quantizeRow(t.type, t.data + r * cols * t.type.blockBytes, cols: cols, into: dst + r * rowBytes)
            }
            Self.release(t.data, count: rows * cols * t.type.blockBytes)
            blocks[name] = WeightTensor(name: t.name, dims: t.dims, type: .q8_0, data: UnsafeRawPointer(dst))
            bytes += rows * rowBytes
        }
    }

    deinit { for p in owned { p.deallocate() } }

    func weight(_ name: String) throws -> WeightTensor? {
        if let q = blocks[name] { return q }
        return try base.weight(name)
    }

    /// One row of `cols` source values → cols/32 Q8_0 blocks: d = max|x| / 127 (stored f16), q = round(x / d).
    static func quantizeRow(_ type: GGMLType, _ src: UnsafeRawPointer, cols: Int, into dst: UnsafeMutableRawPointer) {
        var x = [Float](repeating: 0, count: 32)
        x.withUnsafeMutableBufferPointer { xb in
            let xp = xb.baseAddress!
            for b in 0..<(cols / 32) {
                try? QuantBlocks.dequantize(type, src + b * 32 * type.blockBytes, xp, count: 32)
                var amax: Float = 0
                for j in 0..<32 { amax = max(amax, abs(xp[j])) }
                let d = amax / 127
                let id: Float = d != 0 ? 1 / d : 0
                let blk = dst + b * 34
                blk.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
                let q = (blk + 2).assumingMemoryBound(to: Int8.self)
                for j in 0..<32 { q[j] = Int8(clamping: Int((xp[j] * id).rounded())) }
            }
        }
    }

    /// Drops the whole pages of a read-only mapped range from this process (they are re-read from the file
    /// if ever touched again), so quantizing does not leave the bf16 file resident.
    private static func release(_ p: UnsafeRawPointer, count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (Int(bitPattern: p) + page - 1) / page * page
        let hi = (Int(bitPattern: p) + count) / page * page
        guard hi > lo, let start = UnsafeMutableRawPointer(bitPattern: lo) else { return }
        _ = madvise(start, hi - lo, Int32(MADV_DONTNEED))
    }
}
