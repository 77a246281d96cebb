import Foundation
import Testing
import RewardCore
import TestSupport

/// The generator option group shared by `search` and `label` (Sources/rewardkit/Options/GeneratorOptions.swift):
/// every spelling either command had still parses, both commands validate the same way, and `--model` /
/// `--model-name` name the same served model (so a label job's identity does not depend on the spelling).
@Suite struct GeneratorOptionsCLITests {
    func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-genopts-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func labelIdentityIsTheSameForModelAndModelName() throws {
        let port = try LlamaServer.freePort()  // nothing listens there
        let db = tempDir().appendingPathComponent("j.sqlite").path
        let base = ["label", "--method", "mc", "--in", LabelCLITests.fixture, "--db", db, "--rollouts", "2", "--max-tokens", "8",
                    "--backend", "openai", "--base-url", "http://127.0.0.1:\(port)/v1"]
        let a = try CLI.run(base + ["--model-name", "smollm2"])
        #expect(a.status != 0 && a.err.contains("backend unavailable"), "\(a.err)")
        // The same job spelled with search's flag: accepted as the same job (not refused as another one).
        let b = try CLI.run(base + ["--model", "smollm2"])
        #expect(b.status != 0 && b.err.contains("backend unavailable"), "\(b.err)")
        // Another served model is another job: refused, naming the DB.
        let c = try CLI.run(base + ["--model", "other"])
        #expect(c.status != 0 && !c.err.contains("backend unavailable") && c.err.contains(db), "\(c.err)")
    }

    @Test func searchTakesLabelsSpellingsAndBothValidateAlike() throws {
        let d = tempDir()
        let input = d.appendingPathComponent("p.jsonl").path
        try #"{"id":"p1","prompt":"What is 2 + 3?","reference":"5"}"#.appending("\n").write(toFile: input, atomically: true, encoding: .utf8)
        let port = try LlamaServer.freePort()
        let out = d.appendingPathComponent("r.jsonl").path
        let r = try CLI.run(["search", "--backend", "openai", "--base-url", "http://127.0.0.1:\(port)/v1", "--model-name", "smollm2",
                             "--concurrency", "2", "--in", input, "--out", out, "-n", "2", "--max-tokens", "8"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("backend unavailable"))
        for cmd in [["search", "--in", input, "--out", out], ["label", "--method", "mc", "--in", LabelCLITests.fixture, "--db", d.appendingPathComponent("x.sqlite").path]] {
            let url = try CLI.run(cmd + ["--backend", "openai", "--base-url", "ftp://127.0.0.1/v1"])
            #expect(url.status != 0 && url.err.contains("--base-url"), "\(url.err)")
            let ep = try CLI.run(cmd + ["--endpoint", "nope"])
            #expect(ep.status != 0 && ep.err.contains("--endpoint"), "\(ep.err)")
            let be = try CLI.run(cmd + ["--backend", "grpc"])
            #expect(be.status != 0 && be.err.contains("--backend"), "\(be.err)")
        }
    }
}
