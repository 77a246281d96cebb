import Foundation
import Testing

/// `rewardkit models inspect DIR` and `score` with an `hf_rm` spec, on the committed tiny checkpoints.
@Suite("HF checkpoints from the CLI")
struct HFModelsCLITests {
    static let fixtures = "Tests/RewardEngineTests/Fixtures/hf/"

    @Test func inspectPrintsArchitectureHeadTemplateAndDtype() throws {
        let r = try CLI.run(["models", "inspect", Self.fixtures + "qwen3-rm-e2e"])
        #expect(r.status == 0, "\(r.err)")
        for line in ["architecture: Qwen3ForSequenceClassification", "heads: 4 query, 2 key/value, head_dim 16",
                     "attention: no bias, q/k RMSNorm", "head: sequence classification (score [1, H])",
                     "dtype: float32; tensors: F32 37632", "template: chat template (default), parsed"] {
            #expect(r.out.contains(line), "missing '\(line)' in:\n\(r.out)")
        }
        let bf16 = try CLI.run(["models", "inspect", Self.fixtures + "qwen3-seqcls-bf16-sharded"])
        #expect(bf16.status == 0 && bf16.out.contains("files: 2 safetensors") && bf16.out.contains("BF16"))
    }

    @Test func inspectRefusesANonCheckpointClearly() throws {
        let r = try CLI.run(["models", "inspect", "examples"])
        #expect(r.status != 0)
        #expect(r.err.contains("no config.json"), "\(r.err)")
    }

    @Test func scoreWithHFRewardModelSpec() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-hfcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("spec.yaml")
        try "rewards:\n  - {name: rm, type: hf_rm, path: \(CLI.repoRoot.path)/\(Self.fixtures)qwen3-rm-e2e}\n".write(to: spec, atomically: true, encoding: .utf8)
        let input = #"{"prompt": "What is the capital of France?", "response": "Paris."}"# + "\n"
        let r = try CLI.run(["score", "-c", spec.path, "--quiet"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.err)")
        // transformers' reward for this record (Fixtures/hf/qwen3-rm-e2e/expected.json, case 3).
        let exp = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.repoRoot.appendingPathComponent(Self.fixtures + "qwen3-rm-e2e/expected.json"))) as! [String: Any]
        let ref = ((exp["cases"] as! [[String: Any]])[2]["reward"] as! NSNumber).doubleValue
        let line = try #require(r.out.split(separator: "\n").first)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let reward = try #require((obj["reward"] as? NSNumber)?.doubleValue)
        #expect(abs(reward - ref) <= 1e-4 * max(abs(ref), 1), "\(reward) vs \(ref); \(r.out)")
    }
}
