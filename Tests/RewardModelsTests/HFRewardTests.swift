import Foundation
import Testing
import RewardCore
import RewardEngine
@testable import RewardModels

/// `hf_rm` / `hf_prm` end to end on tiny checkpoints that ship a tokenizer and a real chat template
/// (fixtures by scripts/hf/make_model_fixtures.py): rendered ids and rewards equal transformers'
/// model-card pipeline (apply_chat_template → tokenize → model).
@Suite("HF reward checkpoints (hf_rm, hf_prm)")
struct HFRewardTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RewardEngineTests/Fixtures/hf")

    static func dir(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func cases(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name + "/expected.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]])
    }

    static func sample(_ c: [String: Any]) -> Sample {
        Sample(prompt: .text(c["prompt"] as! String), response: c["response"] as! String)
    }

    static func ids(_ c: [String: Any]) -> [Int32] { (c["ids"] as! [NSNumber]).map { Int32($0.intValue) } }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-4 * max(abs(b), 1) }

    @Test func sequenceClassificationRewardMatchesTransformersPipeline() async throws {
        let rm = try HFRewardModel(scorer: HFCheckpointScorer(directory: Self.dir("qwen3-rm-e2e"), threads: 2))
        let cases = try Self.cases("qwen3-rm-e2e")
        for c in cases { #expect(try rm.tokens(Self.sample(c)) == Self.ids(c), "rendered ids for \(c["prompt"]!)") }
        let results = try await rm.score(cases.map(Self.sample))
        for (r, c) in zip(results, cases) {
            let ref = (c["reward"] as! NSNumber).doubleValue
            #expect(r.error == nil)
            #expect(Self.close(r.reward, ref), "\(r.reward) vs transformers \(ref)")
        }
    }

    @Test func qwenMathPRMStepScoresMatchTransformersPipeline() async throws {
        let prm = try HFProcessRewardModel(scorer: HFCheckpointScorer(directory: Self.dir("qwen2-math-prm-e2e"), threads: 2),
                                           aggregation: .min, system: HFRewardModel.qwenMathSystem)
        let cases = try Self.cases("qwen2-math-prm-e2e")
        for c in cases { #expect(try prm.tokens(Self.sample(c)).ids == Self.ids(c)) }
        let results = try await prm.score(cases.map(Self.sample))
        for (r, c) in zip(results, cases) {
            let ref = (c["step_probs"] as! [NSNumber]).map(\.doubleValue)
            let steps = try #require(r.stepRewards)
            #expect(steps.count == ref.count)
            for (a, b) in zip(steps, ref) { #expect(Self.close(a, b), "\(a) vs transformers \(b)") }
            #expect(r.reward == steps.min())
        }
    }

    @Test func specBuildsFromTheRegistryAndRefusesTheWrongHead() throws {
        var reg = RewardRegistry.core
        registerHFRewards(into: &reg)
        let ok = try RewardSpec.parse(yaml: "rewards:\n  - name: rm\n    type: hf_rm\n    path: \(Self.dir("qwen3-rm-e2e"))\n")
        _ = try ok.build(registry: reg)
        for (type, dir, fragment) in [("hf_rm", "qwen2-math-prm-e2e", "use type hf_prm"), ("hf_prm", "qwen3-rm-e2e", "use type hf_rm"),
                                      ("hf_rm", "no-such-dir", "not a directory")] {
            let spec = try RewardSpec.parse(yaml: "rewards:\n  - name: x\n    type: \(type)\n    path: \(Self.dir(dir))\n")
            do {
                _ = try spec.build(registry: reg)
                Issue.record("\(type) on \(dir) should be refused")
            } catch let e as ConfigError {
                #expect(e.message.contains(fragment), "\(e.message)")
            }
        }
    }

    /// Over-long input fails that sample with a clear error; the rest of the batch is still scored.
    @Test func overlongSampleFailsAloneInTheBatch() async throws {
        let rm = try HFRewardModel(scorer: HFCheckpointScorer(directory: Self.dir("qwen3-rm-e2e"), threads: 2, maxTokens: 60))
        let cases = try Self.cases("qwen3-rm-e2e")
        let results = try await rm.score(cases.map(Self.sample))
        #expect(results[0].error?.contains("exceed max_tokens 60") == true)
        #expect(results[2].error == nil && Self.close(results[2].reward, (cases[2]["reward"] as! NSNumber).doubleValue))
    }
}
