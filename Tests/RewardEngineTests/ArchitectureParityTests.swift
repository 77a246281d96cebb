import Foundation
import Testing
@testable import RewardEngine

/// The architecture paths no real model on this machine covers, checked on tiny random-weight GGUF
/// models (Fixtures/tiny, written by scripts/engine/make_tiny_models.py): Llama 3 (GQA, separate
/// output, rope base 5e5, Q4_K/Q6_K/Q8_0/Q4_0/Q4_1/F16/BF16), Qwen2 (q/k/v biases, NEOX rope, tied
/// embeddings), linear rope scaling, Llama 3.1 `rope_freqs.weight` factors, and a Qwen2.5-0.5B-like
/// width that is not a multiple of 256 (Q5_0/Q5_1 rows, Q5_K/Q3_K/Q2_K ffn_down), and a head size that
/// is not d_model / heads (Mistral Nemo style).
/// Each is compared with a float64 NumPy forward pass (tight) and with llama.cpp (loose: it rounds
/// activations to 8 bits / f16 / bf16 in its matmuls).
@Suite("Architecture parity on tiny synthetic models")
struct ArchitectureParityTests {
    static let models = ["tiny-llama3", "tiny-qwen2", "tiny-llama-linear", "tiny-llama31-freqs", "tiny-qwen25-q5", "tiny-llama-headdim"]

    struct Reference {
        let tokens: [Int32]
        let f64Rows: [[Double]]
        let f64Logprob: [Double]
        let f64Top1: [Int32]
        let llamaLogprob: [Double]
        let llamaTop5: [[Int32]]
        let llamaTop5Logprobs: [[Double]]
        let prompt: [Int32]
        let greedyF64: [Int32]
        let greedyMargin: [Double]
        let greedyLlama: [Int32]

        init(_ name: String) throws {
            let data = try Data(contentsOf: ArchitectureParityTests.tiny("\(name).json"))
            let j = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            tokens = (j["tokens"] as! [Any]).int32s
            let f = j["f64"] as! [String: Any]
            f64Rows = (f["rows"] as! [Any]).map { ($0 as! [Any]).doubles }
            f64Logprob = (f["logprob"] as! [Any]).doubles
            f64Top1 = (f["top1"] as! [Any]).int32s
            let l = j["llamacpp"] as! [String: Any]
            llamaLogprob = (l["logprob"] as! [Any]).doubles
            llamaTop5 = (l["top5_ids"] as! [Any]).map { ($0 as! [Any]).int32s }
            llamaTop5Logprobs = (l["top5_logprobs"] as! [Any]).map { ($0 as! [Any]).doubles }
            let g = j["greedy"] as! [String: Any]
            prompt = (g["prompt"] as! [Any]).int32s
            greedyF64 = (g["f64"] as! [Any]).int32s
            greedyMargin = (g["f64_margin"] as! [Any]).doubles
            greedyLlama = (g["llamacpp"] as! [Any]).int32s
        }
    }

    static func tiny(_ file: String) throws -> URL {
        try Fixture.url("tiny").appendingPathComponent(file)
    }

    static func load(_ name: String, precision: GGUFLanguageModel.Precision = .exact) throws -> GGUFLanguageModel {
        try GGUFLanguageModel(path: tiny("\(name).gguf").path, threads: 2, precision: precision)
    }

    /// Full log-softmax rows of the teacher-forced sequence (positions 0..<n−1), through the public
    /// hidden-state API and the model's own output projection (tied or separate).
    static func logSoftmaxRows(_ m: GGUFLanguageModel, _ tokens: [Int32]) async throws -> [[Double]] {
        let hidden = try await m.hiddenStates(tokens: tokens, at: .all)
        let V = m.config.vocabSize
        var rows: [[Double]] = []
        var logits = [Float](repeating: 0, count: V)
        for h in hidden.dropLast() {
            h.withUnsafeBufferPointer { hp in
                logits.withUnsafeMutableBufferPointer { lp in
                    m.model.logits(hidden: hp.baseAddress!, rows: 1, out: lp.baseAddress!)
                }
            }
            let x = logits.map(Double.init)
            let mx = x.max()!
            let lse = mx + log(x.reduce(0) { $0 + exp($1 - mx) })
            rows.append(x.map { $0 - lse })
        }
        return rows
    }

    static func argmax(_ r: [Double]) -> Int32 { Int32(r.indices.max { r[$0] < r[$1] }!) }

    static func margin(_ r: [Double]) -> Double {
        let s = r.sorted(by: >)
        return s[0] - s[1]
    }

    @Test("teacher-forced log-probs match float64 (tight) and llama.cpp (loose)", arguments: models)
    func teacherForced(name: String) async throws {
        let ref = try Reference(name)
        let m = try Self.load(name)
        try await Self.checkTeacherForced(name, m, ref)
    }

    static func checkTeacherForced(_ name: String, _ m: GGUFLanguageModel, _ ref: Reference) async throws {
        #expect(m.config.vocabSize == ref.f64Rows[0].count)
        // Full rows against float64.
        let rows = try await logSoftmaxRows(m, ref.tokens)
        #expect(rows.count == ref.f64Rows.count)
        var maxRow = 0.0, top1Agree = 0, top1Checked = 0
        for (ours, want) in zip(rows, ref.f64Rows) {
            for (a, b) in zip(ours, want) { maxRow = max(maxRow, abs(a - b)) }
            // A top-1 within 1e-4 of the runner-up is a tie at f32 precision.
            if margin(want) > 1e-4 {
                top1Checked += 1
                if argmax(ours) == argmax(want) { top1Agree += 1 }
            }
        }
        // The public teacher-forced API: log p(next token) and whether it was top-1.
        let lp = try await m.logprobs(context: [ref.tokens[0]], continuation: Array(ref.tokens.dropFirst()))
        var maxNext = 0.0
        for (i, v) in lp.tokenLogprobs.enumerated() {
            maxNext = max(maxNext, abs(v - ref.f64Logprob[i]))
            if margin(ref.f64Rows[i]) > 1e-4 { #expect(lp.isTop1[i] == (ref.f64Top1[i] == ref.tokens[i + 1])) }
        }
        // llama.cpp.
        var maxLlama = 0.0, sumLlama = 0.0, llamaAgree = 0, llamaConfident = 0, llamaConfidentAgree = 0
        for i in 0..<ref.llamaLogprob.count {
            let d = abs(lp.tokenLogprobs[i] - ref.llamaLogprob[i])
            maxLlama = max(maxLlama, d); sumLlama += d
            let ours = argmax(rows[i])
            if ours == ref.llamaTop5[i][0] { llamaAgree += 1 }
            if ref.llamaTop5Logprobs[i][0] - ref.llamaTop5Logprobs[i][1] > 0.3 {
                llamaConfident += 1
                if ours == ref.llamaTop5[i][0] { llamaConfidentAgree += 1 }
            }
        }
        let n = ref.llamaLogprob.count
        print("""
            \(name): vs float64 max |Δlogprob| full rows \(String(format: "%.2e", maxRow)), next token \(String(format: "%.2e", maxNext)), \
            top-1 \(top1Agree)/\(top1Checked); vs llama.cpp max |Δ| \(String(format: "%.4f", maxLlama)), mean \(String(format: "%.4f", sumLlama / Double(n))), \
            top-1 \(llamaAgree)/\(n)
            """)
        #expect(maxRow < 1e-4)
        #expect(maxNext < 1e-4)
        #expect(top1Agree == top1Checked)
        #expect(maxLlama < 0.3)
        #expect(sumLlama / Double(n) < 0.06)
        #expect(llamaConfidentAgree == llamaConfident)
        #expect(Double(llamaAgree) >= 0.9 * Double(n))
    }

    /// Greedy decode (the token-by-token path: f32 fallback for K-quants/F16/BF16, the int8 kernel for
    /// Q4_0/Q4_1/Q8_0 under `.llamaCompatible`) against the float64 greedy continuation. Steps are
    /// compared until the float64 top-1/top-2 margin gets too small for the precision to decide.
    @Test("greedy decode follows the float64 continuation", arguments: models)
    func greedy(name: String) async throws {
        let ref = try Reference(name)
        for (precision, tieMargin) in [(GGUFLanguageModel.Precision.exact, 0.01), (.llamaCompatible, 0.1)] {
            let m = try Self.load(name, precision: precision)
            let opts = GenerationOptions(maxTokens: ref.greedyF64.count, stopAtEndOfGeneration: false)
            let out = try await m.generate(prompt: ref.prompt, options: opts, onText: nil)[0].tokens
            #expect(out.count == ref.greedyF64.count)
            var decided = 0
            while decided < ref.greedyF64.count && ref.greedyMargin[decided] >= tieMargin { decided += 1 }
            let agreeLlama = zip(out, ref.greedyLlama).prefix { $0 == $1 }.count
            print("\(name) greedy \(precision): \(out) (float64 \(ref.greedyF64), decided steps \(decided); llama.cpp common prefix \(agreeLlama)/\(ref.greedyLlama.count))")
            #expect(Array(out.prefix(decided)) == Array(ref.greedyF64.prefix(decided)))
        }
    }
}
