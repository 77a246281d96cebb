import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import RewardCore

/// `rewardkit label --backend openai` against a real llama-cpp-python server (`llama_cpp.server`, venv
/// .venv-llamaserver, created by `make test`) serving the embedded SmolLM2 GGUF on 127.0.0.1. Skipped
/// locally when the venv is missing; under CI=true it runs and fails if the server cannot start.
/// (The launcher mirrors the one in RewardSearchTests/OpenAIGeneratorTests: test targets cannot share code.)
enum LabelServerVenv {
    static let python = CLI.repoRoot.appendingPathComponent(".venv-llamaserver/bin/python").path
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: python) || ProcessInfo.processInfo.environment["CI"] == "true"
    }
}

@Suite(.serialized, .enabled(if: LabelServerVenv.available)) struct LabelServerCLITests {
    static let python = LabelServerVenv.python

    static func modelPath() -> String {
        let env = ProcessInfo.processInfo.environment
        let dir = env["REWARDKIT_CACHE"].flatMap { $0.isEmpty ? nil : $0 + "/models" }
            ?? (env["HOME"] ?? NSHomeDirectory()) + "/.cache/rewardkit/models"
        return dir + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    static func freePort() throws -> Int {
        let r = Process(), out = Pipe()
        r.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        r.arguments = ["python3", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"]
        r.standardOutput = out
        try r.run()
        r.waitUntilExit()
        let s = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(s) else { throw CLIError("no free port (\(s))") }
        return port
    }

    struct CLIError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Starts the server, waits until `/v1/models` answers (≤ 120 s), runs `body`, kills the server.
    static func withServer<T>(_ body: (String) throws -> T) async throws -> T {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw CLIError("\(python) missing: create it with `python3 -m venv .venv-llamaserver && .venv-llamaserver/bin/pip install 'llama-cpp-python[server]==0.3.36'` (make test does)")
        }
        let port = try freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-m", "llama_cpp.server", "--model", modelPath(), "--host", "127.0.0.1", "--port", "\(port)",
                       "--n_ctx", "2048", "--n_threads", "2"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("label-llamaserver-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let fh = try FileHandle(forWritingTo: log)
        p.standardOutput = fh
        p.standardError = fh
        try p.run()
        // SIGKILL: uvicorn may ignore SIGTERM while a worker thread is busy.
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit(); try? fh.close() }
        let base = "http://127.0.0.1:\(port)/v1"
        let deadline = Date().addingTimeInterval(120)
        var up = false
        while Date() < deadline && p.isRunning {
            var req = URLRequest(url: URL(string: base + "/models")!)
            req.timeoutInterval = 2
            if let (_, r) = try? await URLSession.shared.data(for: req), (r as? HTTPURLResponse)?.statusCode == 200 { up = true; break }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        guard up else {
            let tail = (try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? ""
            throw CLIError("llama_cpp.server did not start on port \(port): \(tail)")
        }
        return try body(base)
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
        try await Self.withServer { base in
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
        let port = try Self.freePort()
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
