import Foundation
import Testing
@testable import RewardEngine

/// Scores of tiny random HF checkpoints equal transformers' fp32 outputs (fixtures written by
/// scripts/hf/make_model_fixtures.py) to 1e-4 relative, for right-padded batches that include the pad
/// id inside the text and at its end.
@Suite("Parity with transformers on HF checkpoints")
struct HFParityTests {
    struct Batch {
        let rows: [[Int32]]
        let raw: [String: Any]
    }

    static func load(_ name: String) throws -> (HFModel, [String: Any], [Batch]) {
        let dir = try Fixture.url("hf/" + name).path
        let exp = try #require(Fixture.json("hf/\(name)/expected.json") as? [String: Any])
        let batches = (exp["batches"] as! [[String: Any]]).map { b -> Batch in
            let ids = (b["ids"] as! [[Any]]).map(\.int32s)
            let mask = (b["mask"] as! [[Any]]).map { $0.map { ($0 as! NSNumber).intValue } }
            // Strip the right padding by the attention mask (pad ids inside the text stay).
            let rows = zip(ids, mask).map { r, m in Array(r.prefix(m.reduce(0, +))) }
            return Batch(rows: rows, raw: b)
        }
        return (try HFModel(directory: dir, threads: 2), exp, batches)
    }

    /// |a − b| ≤ 1e-4 · max(|b|, 1); returns the errors for the report.
    static func check(_ ours: [Double], _ ref: [Double], _ what: String) -> (abs: Double, rel: Double) {
        #expect(ours.count == ref.count, "\(what): \(ours.count) values, expected \(ref.count)")
        var maxAbs = 0.0, maxRel = 0.0
        for (a, b) in zip(ours, ref) {
            let e = abs(a - b)
            maxAbs = max(maxAbs, e); maxRel = max(maxRel, e / max(abs(b), 1e-12))
            #expect(e <= 1e-4 * max(abs(b), 1), "\(what): \(a) vs transformers \(b)")
        }
        return (maxAbs, maxRel)
    }

    static func report(_ name: String, _ e: (abs: Double, rel: Double)) {
        print("HF parity \(name): max abs \(String(format: "%.2e", e.abs)), max rel \(String(format: "%.2e", e.rel))")
    }

    @Test(arguments: ["qwen3-seqcls", "qwen3-seqcls-bf16-sharded", "llama-seqcls", "llama-seqcls-bf16", "qwen2-seqcls", "qwen2-math-rm"])
    func sequenceScoresMatchTransformers(_ name: String) throws {
        let (m, _, batches) = try Self.load(name)
        var worst = (abs: 0.0, rel: 0.0)
        for b in batches {
            let ours = try m.sequenceScores(b.rows).flatMap { $0.map(Double.init) }
            let ref = (b.raw["logits"] as! [[Any]]).flatMap(\.doubles)
            let e = Self.check(ours, ref, name)
            worst = (max(worst.abs, e.abs), max(worst.rel, e.rel))
        }
        Self.report(name, worst)
    }

    @Test func qwen2MathPRMStepProbabilities() throws {
        let (m, meta, batches) = try Self.load("qwen2-math-prm")
        #expect(m.head == .twoLayer(outputs: 2))
        let tag = Int32((meta["step_tag"] as! NSNumber).intValue)
        var worst = (abs: 0.0, rel: 0.0)
        for b in batches {
            let rows = b.rows.map { r in r.indices.filter { r[$0] == tag } }
            let outs = try m.headOutputs(b.rows, rows: rows)
            let ours = outs.flatMap { $0.map { l -> Double in
                let mx = max(l[0], l[1])
                let e0 = exp(Double(l[0] - mx)), e1 = exp(Double(l[1] - mx))
                return e1 / (e0 + e1)
            } }
            let ref = (b.raw["step_probs"] as! [[Any]]).flatMap(\.doubles)
            let e = Self.check(ours, ref, "qwen2-math-prm")
            worst = (max(worst.abs, e.abs), max(worst.rel, e.rel))
        }
        Self.report("qwen2-math-prm", worst)
    }

    @Test func tokenLogitPRMProbabilities() throws {
        let (m, meta, batches) = try Self.load("llama-causal-prm")
        #expect(m.head == .languageModel)
        let tag = Int32((meta["step_tag"] as! NSNumber).intValue)
        let plus = Int32((meta["plus"] as! NSNumber).intValue), minus = Int32((meta["minus"] as! NSNumber).intValue)
        var worst = (abs: 0.0, rel: 0.0)
        for b in batches {
            let rows = b.rows.map { r in r.indices.filter { r[$0] == tag } }
            let outs = try m.tokenLogits(b.rows, rows: rows, tokens: [plus, minus])
            let ours = outs.flatMap { $0.map { l in 1 / (1 + exp(Double(l[1] - l[0]))) } }
            let ref = (b.raw["step_probs"] as! [[Any]]).flatMap(\.doubles)
            let e = Self.check(ours, ref, "llama-causal-prm")
            worst = (max(worst.abs, e.abs), max(worst.rel, e.rel))
        }
        Self.report("llama-causal-prm", worst)
    }

    @Test func headsAreDetectedFromArchitectureAndTensors() throws {
        #expect(try Self.load("qwen3-seqcls").0.head == .sequenceClassification(labels: 1))
        #expect(try Self.load("llama-seqcls").0.head == .sequenceClassification(labels: 2))
        #expect(try Self.load("qwen2-math-rm").0.head == .twoLayer(outputs: 1))
        let q3 = try Self.load("qwen3-seqcls-bf16-sharded").0
        #expect(q3.checkpoint.files.count == 2)
        #expect(q3.config.headDim == 16 && q3.config.qDim == 64 && q3.config.embeddingLength == 32)
    }

    /// transformers ≥ 4.49 pools at the rightmost non-pad id: a text ending with the pad id pools one earlier,
    /// a pad id inside the text does not move the index.
    @Test func poolingUsesRightmostNonPadToken() throws {
        let (m, _, _) = try Self.load("qwen3-seqcls")
        #expect(m.padTokenId == 5)
        #expect(m.poolIndex([9, 8, 7]) == 2)
        #expect(m.poolIndex([9, 5, 7]) == 2)
        #expect(m.poolIndex([9, 8, 5]) == 1)
        #expect(m.poolIndex([9, 5, 5]) == 0)
        #expect(m.poolIndex([5, 5]) == 0)
    }

    @Test func outOfRangeTokensAndOverlongSequencesAreRefused() throws {
        let (m, _, _) = try Self.load("qwen2-seqcls")
        #expect(throws: EngineError.self) { try m.sequenceScores([[1, 2, 320]]) }
        #expect(throws: EngineError.self) { try m.sequenceScores([[Int32](repeating: 1, count: 129)]) }
        #expect(throws: EngineError.self) { try m.sequenceScores([[]]) }
    }
}
