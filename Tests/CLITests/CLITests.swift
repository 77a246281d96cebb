import Foundation
import Testing
import RewardCore

/// Runs the real `rewardkit` binary as a subprocess.
enum CLI {
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["REWARDKIT_BIN"] { return b }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var d = dir
        for _ in 0..<4 {
            let c = d.appendingPathComponent("rewardkit").path
            if FileManager.default.isExecutableFile(atPath: c) { return c }
            d = d.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("rewardkit").path
    }

    static var repoRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    @discardableResult
    static func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = repoRoot
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let o = Pipe(), e = Pipe(), i = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = i
        try p.run()
        if let stdin { i.fileHandleForWriting.write(stdin) }
        try i.fileHandleForWriting.close()
        let od = o.fileHandleForReading.readDataToEndOfFile()
        let ed = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: od, as: UTF8.self), String(decoding: ed, as: UTF8.self))
    }
}

@Suite struct ScoreCLITests {
    @Test func exampleFromTheReadme() throws {
        let r = try CLI.run(["score", "--config", "examples/rlvr.yaml", "--in", "examples/rlvr.jsonl", "--out", "-"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(lines.count == 6)
        #expect(lines[0]["reward"]?.doubleValue ?? 0 > 1)
        #expect(lines.contains { $0["error"] != nil })
        #expect(r.err.contains("summary:"))
    }

    @Test func stdinToStdoutAndStrict() throws {
        let input = Data("{\"response\":\"<answer>4</answer>\",\"reference\":\"4\"}\n{bad json\n".utf8)
        let ok = try CLI.run(["score", "-c", "examples/rlvr.yaml", "--quiet"], stdin: input)
        #expect(ok.status == 0)
        #expect(ok.out.split(separator: "\n").count == 2)
        let strict = try CLI.run(["score", "-c", "examples/rlvr.yaml", "--strict"], stdin: input)
        #expect(strict.status != 0)
        #expect(strict.err.contains("line 2"))
    }

    @Test func badSpecFailsBeforeScoring() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("bad.yaml")
        try "rewards:\n  - name: x\n    type: frobnicate\n".write(to: spec, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.jsonl").path
        let r = try CLI.run(["score", "-c", spec.path, "--in", "examples/rlvr.jsonl", "--out", out])
        #expect(r.status != 0)
        #expect(r.err.contains("reward 'x': unknown type 'frobnicate'"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func helpIsComplete() throws {
        let r = try CLI.run(["--help"])
        for cmd in ["score", "verify", "eval", "models", "tokenize", "generate", "logprob", "bench"] {
            #expect(r.out.contains(cmd), "help lacks \(cmd)")
        }
        let s = try CLI.run(["score", "--help"])
        #expect(s.out.contains("--config") && s.out.contains("--strict"))
    }
}

/// Temporary directory per test.
enum IOTestDir {
    static func make() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}

/// Issue 16 data-loss cases through the real binary: exit codes, messages, files on disk.
@Suite struct StreamingIntegrityCLITests {
    static let spec = "rewards:\n  - type: reasoning_pattern\n"

    func write(_ text: String, _ name: String, in d: URL) throws -> String {
        let p = d.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: false, encoding: .utf8)
        return p
    }

    func lines(_ n: Int) -> String {
        // ~130 bytes a line: 20,000 lines (2.6 MB) are more than the reader's first 1 MB read.
        (0..<n).map { #"{"i":\#($0),"ok":true,"pad":"\#(String(repeating: "p", count: 90))","response":"r\#($0)"}"# + "\n" }.joined()
    }

    func outLines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test func scoreInPlaceKeepsEveryLine() throws {
        let d = IOTestDir.make()
        let spec = try write(Self.spec, "s.yaml", in: d), data = try write(lines(20_000), "data.jsonl", in: d)
        let r = try CLI.run(["score", "-c", spec, "--in", data, "--out", data, "--quiet", "--batch-size", "1000"])
        #expect(r.status == 0, "\(r.err)")
        let out = try outLines(data)
        #expect(out.count == 20_000)
        #expect(out.last?["i"] == 19_999 && out.last?["reward"]?.doubleValue != nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.path).sorted() == ["data.jsonl", "s.yaml"])
    }

    @Test func verifyMathInPlaceKeepsEveryLine() throws {
        let d = IOTestDir.make()
        let text = (0..<30_000).map { #"{"gold":"\#($0)","pred":"The answer is \\boxed{\#($0 % 3 == 0 ? $0 + 1 : $0)}"}"# + "\n" }.joined()
        let data = try write(text, "pairs.jsonl", in: d)
        let r = try CLI.run(["verify", "math", "--in", data, "--out", data])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("verify math: 30000 lines, 20000 correct, 0 undecided, 0 errors"), "\(r.err)")
        let out = try outLines(data)
        #expect(out.count == 30_000 && out[3]["correct"] == false && out[4]["correct"] == true)
    }

    @Test func truncatedGzipFailsNamingFileAndLinesAndKeepsThem() throws {
        let d = IOTestDir.make()
        let spec = try write(Self.spec, "s.yaml", in: d)
        let plain = try write((0..<40_000).map { #"{"i":\#($0),"ok":true,"response":"\#(UUID().uuidString)"}"# + "\n" }.joined(), "in.jsonl", in: d)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gz.arguments = ["-f", plain]
        try gz.run()
        gz.waitUntilExit()
        let full = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: plain + ".gz"))
        let out = d.appendingPathComponent("out.jsonl").path
        for cmd in [["score", "-c", spec, "--quiet"], ["verify", "math"]] {
            let r = try CLI.run(cmd + ["--in", plain + ".gz", "--out", out])
            #expect(r.status == 1, "\(cmd): exit \(r.status) \(r.err)")
            #expect(r.err.contains("reading '\(plain).gz' failed after line "), "\(r.err)")
            #expect(r.err.contains("unexpected end of file") && !r.err.contains("Usage:"), "\(r.err)")
            let n = Int(r.err.components(separatedBy: "failed after line ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? -1
            #expect(n > 1000 && n < 40_000)
            #expect(try outLines(out).count == n)
        }
    }

    @Test func strictKeepsTheLinesBeforeTheStop() throws {
        let d = IOTestDir.make()
        let spec = try write(Self.spec, "s.yaml", in: d), data = try write(lines(3000) + "{oops\n" + lines(5), "in.jsonl", in: d)
        let out = d.appendingPathComponent("out.jsonl").path
        let r = try CLI.run(["score", "-c", spec, "--in", data, "--out", out, "--strict"])
        #expect(r.status == 1)
        #expect(r.err.contains("line 3001: invalid JSON") && r.err.contains("the 3000 lines before it were written"), "\(r.err)")
        #expect(try outLines(out).count == 3000)
    }

    @Test func lineLimitAppliesToBufferedLines() throws {
        let d = IOTestDir.make()
        let long = #"{"ok":true,"response":"\#(String(repeating: "z", count: 292))"}"#
        let spec = try write(Self.spec, "s.yaml", in: d), data = try write(#"{"ok":true,"response":"a"}"# + "\n" + long + "\n", "in.jsonl", in: d)
        let r = try CLI.run(["score", "-c", spec, "--in", data, "--max-line-bytes", "100", "--quiet"])
        #expect(r.status == 0)
        let o = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        try #require(o.count == 2)
        #expect(o[0]["reward"]?.doubleValue != nil)
        #expect(o[1]["error"]?.stringValue == "line 2: line is longer than the line limit (--max-line-bytes); its \(long.utf8.count) bytes were skipped")
        let v = try CLI.run(["verify", "math", "--in", "-", "--max-line-bytes", "100"], stdin: Data((#"{"gold":"1","pred":"\#(String(repeating: "1", count: 200))"}"# + "\n").utf8))
        #expect(v.out.contains("line is longer than the line limit"), "\(v.out)")
    }

    @Test func nonStringResponseErrorSaysWhatWasFound() throws {
        let d = IOTestDir.make()
        let spec = try write(Self.spec, "s.yaml", in: d)
        let r = try CLI.run(["score", "-c", spec, "--quiet"], stdin: Data(#"{"ok":true,"response":42}\#n{"ok":true,"response":null}\#n"#.utf8))
        let o = r.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        try #require(o.count == 2)
        #expect(o[0]["error"]?.stringValue == "line 1: field 'response': must be a string, got number 42")
        #expect(o[1]["error"]?.stringValue?.hasPrefix("line 2: field 'response': is null") == true)
    }
}

/// End-to-end runs of the engine commands on the embedded model (SmolLM2-135M-Instruct Q4_1),
/// with exact outputs where they are deterministic (token ids, greedy text, log-probabilities).
@Suite(.serialized) struct EngineCommandsCLITests {
    func json(_ s: String) throws -> JSONValue { try JSONParser.parse(s.trimmingCharacters(in: .whitespacesAndNewlines)) }

    @Test func modelsListShowsThePulledModel() throws {
        let r = try CLI.run(["models", "list"])
        #expect(r.status == 0)
        let cols = r.out.split(separator: "\n").first { $0.hasPrefix("smollm2-135m-instruct\t") }?.split(separator: "\t").map(String.init) ?? []
        #expect(cols.count == 4)
        #expect(cols.count == 4 && cols[1] == "pulled" && cols[2] == "98.4 MB" && cols[3].hasSuffix("/models/SmolLM2-135M-Instruct.Q4_1.gguf"), "\(cols)")
        #expect(try CLI.run(["models", "pull", "smollm2-135m-instruct"]).out.hasPrefix("already present (sha256 ok): "))
    }

    /// A model that cannot be loaded is a runtime error (exit 1, "Error: …"), not a usage error
    /// (exit 64 with the usage text), for every command that takes --model.
    @Test func invalidModelIsARuntimeErrorNotAUsageError() throws {
        let empty = IOTestDir.make()
        for cmd in [["tokenize", "--text", "x"], ["generate", "--prompt", "x"], ["logprob", "--context", "a", "--continuation", "b"],
                    ["rollout", "--in", "examples/demo/math-8.jsonl"]] {
            let r = try CLI.run(cmd + ["--model", empty.appendingPathComponent("missing.gguf").path])
            #expect(r.status == 1, "\(cmd): exit \(r.status)")
            #expect(r.err.hasPrefix("Error: no model named '") && !r.err.contains("Usage:"), "\(cmd): \(r.err)")
        }
        // Not pulled: the message says how to pull it.
        let r = try CLI.run(["tokenize", "--text", "x"], environment: ["REWARDKIT_CACHE": empty.path])
        #expect(r.status == 1 && !r.err.contains("Usage:"), "\(r.err)")
        #expect(r.err.contains("model 'smollm2-135m-instruct' is not pulled") && r.err.contains("run `rewardkit models pull smollm2-135m-instruct`"), "\(r.err)")
        // A real usage error still is one.
        #expect(try CLI.run(["generate"]).status == 64)
    }

    @Test func tokenizeGivesTheExactIds() throws {
        let r = try CLI.run(["tokenize", "--text", "Hello, world"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "[19556,28,905]\n")
        let s = try CLI.run(["tokenize", "--text", "<|im_start|>user", "--special"])
        #expect(s.out == "[1,4093]\n")
    }

    @Test func greedyGenerateGivesTheExactText() throws {
        let r = try CLI.run(["generate", "--prompt", "What is 7 + 5?", "--max-tokens", "24"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "To add 7 and 5, you simply add them together: 7 + 5 = 12.\n")
        // Two greedy samples are identical and come as JSON lines.
        let two = try CLI.run(["generate", "--prompt", "What is 7 + 5?", "--max-tokens", "8", "--samples", "2"])
        let rows = two.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(rows.count == 2 && rows[0]["text"] == rows[1]["text"] && rows[0]["tokens"] == 8)
    }

    @Test func logprobGivesTheExactValues() throws {
        let r = try CLI.run(["logprob", "--context", "The capital of France is", "--continuation", " Paris."])
        #expect(r.status == 0, "\(r.err)")
        let v = try json(r.out)
        #expect(v["tokens"] == [7042, 30])
        #expect(v["pieces"] == [" Paris", "."])
        #expect(v["context_tokens"] == 5)
        let sum = v["sum"]?.doubleValue ?? 0
        #expect(abs(sum - -0.63817) < 2e-3, "sum \(sum)")
        let lps = v["logprobs"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(lps.count == 2 && abs(lps.reduce(0, +) - sum) < 1e-9)
    }

    @Test func greedyRolloutWritesScoringReadyLines() throws {
        let d = IOTestDir.make()
        let data = d.appendingPathComponent("prompts.jsonl").path
        try (#"{"id":"a","prompt":"What is 7 + 5?","reference":"12"}"# + "\n{broken\n" + #"{"prompt_id":"p2","question":"What is 9 times 3?"}"# + "\n")
            .write(toFile: data, atomically: false, encoding: .utf8)
        // In place: the prompts file becomes the samples file.
        let r = try CLI.run(["rollout", "--in", data, "--out", data, "-n", "2", "--max-tokens", "16", "--temperature", "0"])
        #expect(r.status == 0, "\(r.err)")
        let rows = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        try #require(rows.count == 5)
        #expect(rows[0]["id"] == "a" && rows[0]["reference"] == "12" && rows[0]["group"] == "a" && rows[0]["sample"] == 0 && rows[1]["sample"] == 1)
        #expect(rows[0]["response"] == "To add 7 and 5, you simply add them together: 7" && rows[1]["response"] == rows[0]["response"])
        #expect(rows[2]["line"] == 2 && rows[2]["error"]?.stringValue?.hasPrefix("line 2: invalid JSON") == true)
        #expect(rows[3]["group"] == "p2" && rows[3]["response"] == "To find 9 times 3, we can use the concept of multiplication tables" && rows[4]["sample"] == 1)
        #expect(r.err.contains(#""errors":1"#) && r.err.contains(#""samples":4"#), "\(r.err)")
    }

    @Test func trainOrmWritesALoadableCheckpoint() throws {
        let d = IOTestDir.make()
        let data = d.appendingPathComponent("pairs.jsonl").path
        let pairs = (0..<6).map { i in
            #"{"prompt":"What is \#(i) + \#(i)?","chosen":"\#(i) + \#(i) = \#(2 * i).","rejected":"I will not answer that."}"#
        }.joined(separator: "\n") + "\n{\"prompt\":\"no pair\"}\n"
        try pairs.write(toFile: data, atomically: false, encoding: .utf8)
        let out = d.appendingPathComponent("ckpt").path
        let r = try CLI.run(["train", "orm", "--data", data, "--out", out, "--epochs", "30", "--val-split", "0", "--no-cache", "--head", "linear", "--lr", "0.01"])
        #expect(r.status == 0, "\(r.err)")
        let s = try json(r.out)
        #expect(s["records"] == 6 && s["skipped"] == 1 && s["kind"] == "orm" && s["features_computed"] == 12, "\(r.out)")
        #expect(r.err.contains("skipped: line 7: field 'response': missing"), "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: out + "/head.safetensors"))
        let cfg = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: out + "/config.json")))
        #expect(cfg["head"]?["kind"] == "linear" && cfg["kind"] == "orm")
        // The checkpoint scores through `score`, and prefers the answer on a held-out prompt.
        let spec = d.appendingPathComponent("orm.yaml").path
        try "rewards:\n  - type: orm\n    path: \(out)\n".write(toFile: spec, atomically: false, encoding: .utf8)
        let sc = try CLI.run(["score", "-c", spec, "--quiet"], stdin: Data(#"{"prompt":"What is 20 + 20?","chosen":"20 + 20 = 40.","rejected":"I will not answer that."}"#.utf8))
        #expect(sc.status == 0, "\(sc.err)")
        let row = try json(sc.out)
        #expect((row["reward"]?.doubleValue ?? -1) > 0, "\(sc.out)")
    }
}
