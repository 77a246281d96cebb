import Foundation
import Testing
@testable import RewardEngine

/// The `q8` weights mode for HF checkpoints (projections quantized to Q8_0 at load, int8 kernel) and the
/// pooled-head shortcut (the last block's o-proj/MLP only for the rows a head reads).
@Suite("HF q8 weights and pooled rows")
struct HFQ8Tests {
    static func dir(_ name: String) throws -> String { try Fixture.url("hf/" + name).path }

    /// Worst absolute error, worst error relative to max(|ref|, 1), and the fraction of sequence pairs
    /// ranked the same way (per output column).
    static func accuracy(_ ours: [[Float]], _ ref: [[Double]]) -> (abs: Double, rel: Double, ranking: Double) {
        var maxAbs = 0.0, maxRel = 0.0, agree = 0, pairs = 0
        for (o, r) in zip(ours, ref) {
            for (a, b) in zip(o, r) {
                let e = abs(Double(a) - b)
                maxAbs = max(maxAbs, e); maxRel = max(maxRel, e / max(abs(b), 1))
            }
        }
        let cols = ref.first?.count ?? 0
        for c in 0..<cols {
            for i in ref.indices { for j in ref.indices where j > i && ref[i][c] != ref[j][c] {
                pairs += 1
                if (ours[i][c] > ours[j][c]) == (ref[i][c] > ref[j][c]) { agree += 1 }
            } }
        }
        return (maxAbs, maxRel, pairs == 0 ? 1 : Double(agree) / Double(pairs))
    }

    static let fixtures = ["qwen3-seqcls", "qwen3-seqcls-bf16-sharded", "llama-seqcls", "llama-seqcls-bf16", "qwen2-seqcls", "qwen2-math-rm"]

    /// A quantized mode's scores on a fixture against transformers fp32. Not the parity mode: rounding
    /// weights and activations to 7–8 bits moves these tiny random models' scores (hidden 32: one
    /// quantization block per row) by 1e-2–8e-2 (measured); the bound catches a broken path (wrong
    /// layout, scale or offset ⇒ errors of order 1, rankings at chance).
    static func checkCloseToTransformers(_ name: String, precision: HFModel.Precision) throws {
        let (exact, _, batches) = try HFParityTests.load(name)
        let m = try HFModel(directory: try dir(name), threads: 2, precision: precision)
        #expect(m.precision == precision)
        var ours: [[Float]] = [], ref: [[Double]] = [], exactScores: [[Float]] = []
        for b in batches {
            ours += try m.sequenceScores(b.rows)
            exactScores += try exact.sequenceScores(b.rows)
            ref += (b.raw["logits"] as! [[Any]]).map(\.doubles)
        }
        let a = accuracy(ours, ref)
        print("HF \(precision) \(name): max abs \(String(format: "%.2e", a.abs)), max rel \(String(format: "%.2e", a.rel)), ranking agreement \(String(format: "%.3f", a.ranking)) over \(ref.count) sequences")
        #expect(a.rel < 0.15, "\(name): \(a)")
        #expect(a.ranking >= 0.9, "\(name): \(a)")
        #expect(ours != exactScores, "\(precision) must really run the int8 path")
    }

    @Test(arguments: fixtures)
    func q8ScoresStayCloseToTransformers(_ name: String) throws {
        try Self.checkCloseToTransformers(name, precision: .q8)
    }

    /// Q8_0 as llama.cpp writes it: d = max|x| / 127 stored as f16, q = round(x / d).
    @Test func quantizeRowWritesQ8_0Blocks() throws {
        let x: [Float] = (0..<64).map { Float($0 - 20) * 0.37 }  // block 0 max |x| = 7.4, block 1 = 16.28
        var out = [UInt8](repeating: 0, count: 68)
        x.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { QuantizedWeightSource.quantizeRow(.f32, src.baseAddress!, cols: 64, into: $0.baseAddress!) }
        }
        var deq = [Float](repeating: 0, count: 64)
        try out.withUnsafeBytes { try QuantBlocks.dequantize(.q8_0, $0.baseAddress!, &deq, count: 64) }
        for b in 0..<2 {
            let block = x[(b * 32)..<((b + 1) * 32)]
            let d = block.map(abs).max()! / 127
            let d16 = Float(Float16(d))
            #expect(out[b * 34] | out[b * 34 + 1] != 0)
            let q = out[(b * 34 + 2)..<(b * 34 + 34)].map { Int8(bitPattern: $0) }
            #expect(q.map { abs(Int($0)) }.max() == 127)
            for (j, v) in block.enumerated() {
                #expect(Int(q[j]) == Int((v / d).rounded()))
                #expect(abs(deq[b * 32 + j] - v) <= d / 2 + 127 * abs(d - d16) + 1e-6)
            }
        }
    }

    @Test func onlyProjectionsAreQuantized() throws {
        let ck = try HFCheckpoint(directory: try Self.dir("qwen3-seqcls-bf16-sharded"))
        let q = try QuantizedWeightSource(ck, names: QuantizedWeightSource.projectionNames(layers: ck.config.layerCount), threads: 2)
        for t in ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] {
            #expect(try q.weight("blk.0.\(t).weight")?.type == .q8_0)
        }
        #expect(try q.weight("blk.0.attn_norm.weight")?.type == ck.weight("blk.0.attn_norm.weight")?.type)
        #expect(try q.weight("token_embd.weight")?.type == .bf16)
        #expect(q.bytes > 0)
    }

    /// `outputRows`: the wanted rows come out as in the full pass (same math on fewer rows).
    @Test func lastBlockRunsOnlyForWantedRows() throws {
        let (m, _, batches) = try HFParityTests.load("qwen2-math-prm")
        let seqs = batches[0].rows
        let d = m.config.embeddingLength
        var tokens: [Int32] = [], segs: [BatchSegment] = []
        for s in seqs {
            segs.append(BatchSegment(cache: m.model.makeCache(capacity: s.count), start: tokens.count, count: s.count))
            tokens += s
        }
        let full = m.model.forward(tokens: tokens, segments: segs)
        let wanted = [0, 3, tokens.count - 1]
        let segs2 = seqs.indices.map { BatchSegment(cache: m.model.makeCache(capacity: seqs[$0].count), start: segs[$0].start, count: seqs[$0].count) }
        let some = m.model.forward(tokens: tokens, segments: segs2, outputRows: wanted)
        for (i, r) in wanted.enumerated() {
            for k in 0..<d {
                let a = some.pointer[i * d + k], b = full.pointer[r * d + k]
                #expect(abs(a - b) <= 1e-5 * max(abs(b), 1), "row \(r) dim \(k)")
            }
        }
    }
}
