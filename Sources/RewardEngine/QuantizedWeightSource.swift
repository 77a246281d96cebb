import CEngineKernels
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A `WeightSource` that serves another source's projection matrices (attention, MLP, LM head) as integer
/// blocks quantized at load, so batches run through the int8 kernel (`Linear` with `useKernel`). Norms,
/// biases and the embedding pass through unchanged. This is how a bf16/f16/f32 Hugging Face checkpoint
/// gets the `q8` and `q7` weights modes without a second transformer implementation.
/// - `.q8_0`: 32 weights share one f16 scale, each rounded to 8 bits, as llama.cpp's `quantize` writes them
///   (34 bytes per 32 weights, 1.06 bytes per weight).
/// - `.q7_1`: 32 weights share an f16 scale and offset, each rounded to 7 unsigned bits (36 bytes per 32,
///   1.125 bytes per weight): unsigned weights need no sign trick in the kernel, ~1.2–1.3× Q8_0's GEMM rate
///   on AVX2 without VNNI, at a step of (max − min)/127 per block instead of max|w|/127.
///
/// The source pages read while quantizing are released again so the mapped file does not stay resident.
final class QuantizedWeightSource: WeightSource, @unchecked Sendable {
    let base: any WeightSource
    /// The block type made: `.q8_0` or `.q7_1`.
    let blockType: GGMLType
    private var blocks: [String: WeightTensor] = [:]
    private var owned: [UnsafeMutableRawPointer] = []
    /// Bytes of blocks held.
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

    init(_ base: any WeightSource, names: [String], blockType: GGMLType = .q8_0, threads: Int) throws {
        precondition(blockType == .q8_0 || blockType == .q7_1)
        self.base = base
        self.blockType = blockType
        for name in names {
            guard let t = try base.weight(name) else { continue }
            guard t.dims.count == 2, t.dims[0] % 32 == 0, [.f32, .f16, .bf16].contains(t.type) else { continue }
            let cols = t.dims[0], rows = t.dims[1], nb = cols / 32
            let rowBytes = nb * blockType.blockBytes
            let dst = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes, alignment: 64)
            owned.append(dst)
            // One flag per row (each written by the one worker that quantizes that row).
            let ok = UnsafeMutablePointer<Bool>.allocate(capacity: rows)
            defer { ok.deallocate() }
            ok.initialize(repeating: true, count: rows)
            let box = UncheckedSendable((t, dst, ok))
            parallelRows(rows, max(1, threads)) { r in
                let (t, dst, ok) = box.value
                let src = t.data + r * cols * t.type.blockBytes
                if blockType == .q7_1 {
                    ok[r] = Self.quantizeRowQ7(t.type, src, cols: cols, into: dst + r * rowBytes)
                } else {
                    Self.quantizeRow(t.type, src, cols: cols, into: dst + r * rowBytes)
                }
            }
            if UnsafeBufferPointer(start: ok, count: rows).contains(false) {
                throw EngineError.invalidCheckpoint("\(name): values that are not finite or exceed the f16 range of \(blockType.name) scales")
            }
            Self.release(t.data, count: rows * cols * t.type.blockBytes)
            blocks[name] = WeightTensor(name: t.name, dims: t.dims, type: blockType, data: UnsafeRawPointer(dst))
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

    /// One row of `cols` source values → cols/32 Q7_1 blocks (`rk_quantize_weights`); false when the row
    /// has a value that is not finite or a block range beyond f16.
    static func quantizeRowQ7(_ type: GGMLType, _ src: UnsafeRawPointer, cols: Int, into dst: UnsafeMutableRawPointer) -> Bool {
        var x = [Float](repeating: 0, count: cols)
        return x.withUnsafeMutableBufferPointer { xb in
            guard (try? QuantBlocks.dequantize(type, src, xb.baseAddress!, count: cols)) != nil else { return false }
            return rk_quantize_weights(Int32(RK_TYPE_Q7_1), xb.baseAddress!, Int64(cols), dst) == 0
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
