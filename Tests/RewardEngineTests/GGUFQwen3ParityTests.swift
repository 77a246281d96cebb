import Foundation
import Testing
@testable import RewardEngine

/// The GGUF qwen3 path (q/k RMSNorm per head, explicit head_dim, GQA, tied embeddings) against
/// transformers, on a tiny random Qwen3ForCausalLM converted by llama.cpp's own convert_hf_to_gguf.py
/// (Fixtures/hf/qwen3-gguf, scripts/hf/make_gguf_qwen3.py). The weights are f16-exact, so the GGUF (F16)
/// and the HF checkpoint (F16 safetensors) hold the very weights transformers ran in fp32: logits must
/// agree to 1e-4 relative, through both weight sources, and the GGUF's tokenizer must give the same ids.
@Suite("GGUF qwen3 parity with transformers")
struct GGUFQwen3ParityTests {
    struct Case {
        let text: String
        let ids: [Int32]
        let rows: [Int]
        let logits: [[Double]]
        let nextLogprob: [Double]
    }

    static func cases() throws -> [Case] {
        let exp = try #require(Fixture.json("hf/qwen3-gguf/expected.json") as? [String: Any])
        return (exp["cases"] as! [[String: Any]]).map { c in
            Case(text: c["text"] as! String, ids: (c["ids"] as! [Any]).int32s,
                 rows: (c["rows"] as! [Any]).map { ($0 as! NSNumber).intValue },
                 logits: (c["logits"] as! [Any]).map { ($0 as! [Any]).doubles },
                 nextLogprob: (c["next_logprob"] as! [Any]).doubles)
        }
    }

    static func gguf() throws -> GGUFLanguageModel {
        try GGUFLanguageModel(path: Fixture.url("hf/qwen3-gguf/tiny-qwen3.gguf").path, threads: 2, precision: .exact)
    }

    /// Full logits of every position through the GGUF model's hidden states and its (tied) output.
    static func ggufLogits(_ m: GGUFLanguageModel, _ ids: [Int32]) async throws -> [[Double]] {
        let hidden = try await m.hiddenStates(tokens: ids, at: .all)
        var out = [Float](repeating: 0, count: m.config.vocabSize)
        return hidden.map { h in
            h.withUnsafeBufferPointer { hp in
                out.withUnsafeMutableBufferPointer { m.model.logits(hidden: hp.baseAddress!, rows: 1, out: $0.baseAddress!) }
            }
            return out.map(Double.init)
        }
    }

    static func expectClose(_ ours: [Double], _ ref: [Double], _ what: String) -> Double {
        #expect(ours.count == ref.count, "\(what): \(ours.count) values, expected \(ref.count)")
        let scale = max(ref.map(abs).max() ?? 1, 1)
        var worst = 0.0
        for (i, (a, b)) in zip(ours, ref).enumerated() {
            worst = max(worst, abs(a - b) / scale)
            #expect(abs(a - b) <= 1e-4 * scale, "\(what)[\(i)]: \(a) vs \(b)")
        }
        return worst
    }

    @Test func convertedConfigIsQwen3Shape() throws {
        let c = try Self.gguf().config
        #expect(c.architecture == "qwen3")
        #expect(c.headCount == 4 && c.headCountKV == 2 && c.headDim == 32 && c.qDim == 128 && c.embeddingLength == 64)
        #expect(c.ropeStyle == .halves && c.ropeBase == 1e6 && c.vocabSize == 400)
    }

    @Test func ggufLogitsMatchTransformers() async throws {
        let m = try Self.gguf()
        var worst = 0.0
        for (k, c) in try Self.cases().enumerated() {
            let rows = try await Self.ggufLogits(m, c.ids)
            for (r, ref) in zip(c.rows, c.logits) {
                worst = max(worst, Self.expectClose(rows[r], ref, "case \(k) row \(r)"))
            }
            // log p(next token) at every position: the whole sequence, not only the sampled rows.
            let lp = (0..<(c.ids.count - 1)).map { t -> Double in
                let x = rows[t], mx = x.max()!
                return x[Int(c.ids[t + 1])] - mx - log(x.reduce(0) { $0 + exp($1 - mx) })
            }
            worst = max(worst, Self.expectClose(lp, c.nextLogprob, "case \(k) next-token log-probs"))
        }
        print("GGUF qwen3 parity: max error / max |logit| \(String(format: "%.2e", worst))")
    }

    @Test func hfCheckpointOfTheSameWeightsAgrees() async throws {
        let hf = try HFModel(directory: Fixture.url("hf/qwen3-gguf").path, threads: 2)
        #expect(hf.head == .languageModel)
        let g = try Self.gguf()
        let vocab = (0..<Int32(hf.config.vocabSize)).map { $0 }
        for (k, c) in try Self.cases().enumerated() {
            let ours = try hf.tokenLogits([c.ids], rows: [c.rows], tokens: vocab)[0]
            let viaGGUF = try await Self.ggufLogits(g, c.ids)
            for (i, r) in c.rows.enumerated() {
                _ = Self.expectClose(ours[i].map(Double.init), c.logits[i], "HF case \(k) row \(r)")
                _ = Self.expectClose(ours[i].map(Double.init), viaGGUF[r], "HF vs GGUF case \(k) row \(r)")
            }
        }
    }

    @Test func ggufTokenizerMatchesTransformersIds() throws {
        let m = try Self.gguf()
        for c in try Self.cases() {
            #expect(m.tokenize(c.text, parseSpecial: true) == c.ids, "\(c.text.prefix(40))")
        }
    }
}
