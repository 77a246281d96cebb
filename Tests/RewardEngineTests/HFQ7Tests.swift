import Foundation
import Testing
@testable import RewardEngine

/// The `q7` weights mode for HF checkpoints: projections quantized to RewardKit's 7-bit Q7_1 blocks at
/// load, batches through the int8 kernel. A speed mode, not the parity mode: scores must stay close to
/// transformers fp32 (a tolerance a wrong layout, scale or offset breaks by orders of magnitude).
@Suite("HF q7 weights")
struct HFQ7Tests {
    @Test(arguments: HFQ8Tests.fixtures)
    func q7ScoresStayCloseToTransformers(_ name: String) throws {
        try HFQ8Tests.checkCloseToTransformers(name, precision: .q7)
    }

    @Test func projectionsBecomeQ7Blocks() throws {
        let ck = try HFCheckpoint(directory: try HFQ8Tests.dir("qwen3-seqcls-bf16-sharded"))
        let q = try QuantizedWeightSource(ck, names: QuantizedWeightSource.projectionNames(layers: ck.config.layerCount),
                                          blockType: .q7_1, threads: 2)
        var params = 0
        for t in ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] {
            let w = try #require(try q.weight("blk.0.\(t).weight"))
            #expect(w.type == .q7_1)
            params += w.dims[0] * w.dims[1]
        }
        #expect(try q.weight("token_embd.weight")?.type == .bf16)
        #expect(q.bytes == params * ck.config.layerCount * 36 / 32)
        // Each quantized projection dequantizes to within half a block step of the checkpoint's weights.
        let src = try #require(try ck.weight("blk.0.ffn_down.weight")), w = try #require(try q.weight("blk.0.ffn_down.weight"))
        let n = src.dims[0] * src.dims[1]
        var a = [Float](repeating: 0, count: n), b = a
        try QuantBlocks.dequantize(src.type, src.data, &a, count: n)
        try QuantBlocks.dequantize(.q7_1, w.data, &b, count: n)
        for blk in 0..<(n / 32) {
            let xs = a[(32 * blk)..<(32 * blk + 32)]
            let step = (xs.max()! - xs.min()!) / 127
            for j in (32 * blk)..<(32 * blk + 32) { #expect(abs(a[j] - b[j]) <= step * 0.51 + abs(a[j]) * 1e-3 + 1e-7) }
        }
    }

    @Test func weightModeSpellings() {
        #expect(HFModel.weightMode("q7")?.precision == .q7)
        #expect(HFModel.weightMode("Q7")?.precision == .q7)
        #expect(HFModel.weightMode("q8")?.precision == .q8)
        #expect(HFModel.weightMode("compact")?.precision == .exact)
        #expect(HFModel.weightMode("q6") == nil)
    }
}
