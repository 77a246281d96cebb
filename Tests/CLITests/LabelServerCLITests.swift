import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import RewardCore
import TestSupport

/// `rewardkit label --backend openai` against a real llama-cpp-python server (`LlamaServer` in TestSupport:
/// venv .venv-llamaserver, created by `make test`) serving the embedded SmolLM2 GGUF on 127.0.0.1. Skipped
/// locally when the venv is missing; under CI=true it runs and fails if the server cannot start.
@Suite(.serialized, .enabled(if: LlamaServer.available)) struct LabelServerCLITests {
    static func modelPath() -> String {
        let env = ProcessInfo.processInfo.environment
        let dir = env["REWARDKIT_CACHE"].flatMap { $0.isEmpty ? nil : $0 + "/models" }
            ?? (env["HOME"] ?? NSHomeDirectory()) + "/.cache/rewardkit/models"
        return dir + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    func status(_ db: String) throws -> JSONValue? {
        let r = try CLI.run(["label", "status", "--db", db])
        return r.status == 0 ? try? JSONParser.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }

    @Test func labelsThroughARealServerResumesAndReproduces() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-labelsrv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Two of the fixture's solutions keep the test short.
        let lines = try String(contentsOf: CLI.repoRoot.appendingPathComponent(LabelCLITests.fixture), encoding: .utf8)
            .split(separator: "\n").prefix(2)
        let input = dir.appendingPathComponent("in.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        try await LlamaServer.with(model: Self.modelPath()) { url in
            let base = url.absoluteString
            let args = ["label", "--method", "mc", "--in", input.path, "--rollouts", "2", "--max-tokens", "16", "--seed", "3",
                        "--backend", "openai", "--base-url", base, "--model-name", "smollm2"]
            let db = dir.appendingPathComponent("a.sqlite").path
            let a = try CLI.run(args + ["--db", db])
            #expect(a.status == 0, "\(a.err)")
            let recs = a.out.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            #expect(recs.count == 2)
            // 3 steps each: 2 rolled-out prefixes × 2 rollouts, the last step checked directly.
            #expect(recs.allSatisfy { $0["rollouts"]?.arrayValue?.compactMap(\.intValue) == [2, 2, 0] }, "\(a.out)")
            #expect(recs.map { $0["id"]?.stringValue } == ["gsm8k-6", "gsm8k-20"])
            #expect(a.err.contains("\"generator\":\"openai:"), "\(a.err)")
            #expect(try status(db)?["rollouts"]?.intValue == 8)
            #expect(try status(db)?["generated_tokens"]?.intValue ?? 0 > 0)
            // The same command on the same DB resumes: nothing new is sampled, the output is the same.
            let again = try CLI.run(args + ["--db", db])
            #expect(again.status == 0 && again.out == a.out, "\(again.err)")
            #expect(again.err.contains("\"rollouts_new\":0"), "\(again.err)")
            // A fresh job runs the same rollouts. Its sampled text is not compared: llama_cpp.server reuses
            // cached prompt KV in whatever order the concurrent requests arrive, so equal seeds do not give
            // bit-equal samples across two server runs (seen once in CI). Identity is the DB's guarantee, checked above.
            let b = try CLI.run(args + ["--db", dir.appendingPathComponent("b.sqlite").path])
            #expect(b.status == 0, "\(b.err)")
            let brecs = b.out.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            #expect(brecs.map { $0["id"]?.stringValue } == ["gsm8k-6", "gsm8k-20"])
            #expect(brecs.allSatisfy { $0["rollouts"]?.arrayValue?.compactMap(\.intValue) == [2, 2, 0] }, "\(b.out)")
            // The server's URL is not part of the job: the DB resumes against another address of the same model.
            let moved = try CLI.run(args.map { $0 == base ? base.replacingOccurrences(of: "127.0.0.1", with: "localhost") : $0 } + ["--db", db])
            #expect(moved.status == 0 && moved.out == a.out, "\(moved.err)")
        }
    }

    @Test func unreachableServerFailsClearlyAndKeepsTheJob() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-labelsrv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let port = try LlamaServer.freePort()
        let db = dir.appendingPathComponent("j.sqlite").path
        let r = try CLI.run(["label", "--method", "mc", "--in", LabelCLITests.fixture, "--db", db, "--rollouts", "2", "--max-tokens", "8",
                             "--backend", "openai", "--base-url", "http://127.0.0.1:\(port)/v1", "--model-name", "smollm2"])
        #expect(r.status != 0)
        #expect(r.err.contains("backend unavailable") && r.err.contains("127.0.0.1:\(port)"), "\(r.err)")
        // The job stays: nothing stored is lost, the solutions are still to do.
        let st = try status(db)
        #expect(st?["rollouts"]?.intValue == 0 && st?["done"]?.intValue == 0)
        let bad = try CLI.run(["label", "--method", "mc", "--in", LabelCLITests.fixture, "--db", db, "--backend", "openai"])
        #expect(bad.status != 0 && bad.err.contains("--base-url"), "\(bad.err)")
    }
}
