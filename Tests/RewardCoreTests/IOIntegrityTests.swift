import Foundation
import Testing
@testable import RewardCore

/// Issue 16 "data loss": same file in and out, atomic output, truncated/corrupt gzip,
/// the line limit on every path, --strict keeping what was scored, and type coercion wording.
@Suite struct IOIntegrityTests {
    struct LengthReward: SampleReward {
        var kind: String { "len" }
        func score(_ s: Sample, index: Int, context: ScoringContext) -> RewardResult { RewardResult(reward: Double(s.response.utf8.count)) }
    }

    func dir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-io-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }

    /// `n` lines whose response is "x" repeated (i % 7 + 1) times: reward = i % 7 + 1.
    func lines(_ n: Int) -> String {
        // ~130 bytes a line, so 20,000 lines (2.6 MB) exceed the reader's 1 MB first read: a sink that
        // truncated the input at open would lose most of them (it did: issue 16, item 1).
        (0..<n).map { #"{"i":\#($0),"pad":"\#(String(repeating: "p", count: 100))","response":"\#(String(repeating: "x", count: $0 % 7 + 1))"}"# + "\n" }.joined()
    }

    func pipeline(strict: Bool = false, batch: Int = 8192) -> ScoringPipeline {
        var p = ScoringPipeline(reward: LengthReward())
        p.strict = strict
        p.batchLines = batch
        return p
    }

    /// Runs the pipeline like `rewardkit score`: the output is closed (published) also on error.
    func score(_ inPath: String, _ outPath: String, strict: Bool = false, batch: Int = 8192, maxLine: Int = LineReader.defaultMaxLineBytes) async -> (ScoreSummary?, Error?) {
        do {
            let input = try RecordInput(path: inPath, maxLineBytes: maxLine)
            let sink = try OutputSink(path: outPath)
            do {
                let s = try await pipeline(strict: strict, batch: batch).run(input: input, output: sink)
                try sink.close()
                return (s, nil)
            } catch {
                try sink.close()
                return (nil, error)
            }
        } catch { return (nil, error) }
    }

    func outputLines(_ path: String) throws -> [JSONValue] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    func gzip(_ text: String, to path: String) throws {
        let sink = try OutputSink(path: path)
        try sink.write(Array(text.utf8))
        try sink.close()
    }

    // MARK: 1. same file for input and output; atomic replacement

    @Test func sameFileForInputAndOutputKeepsEveryLine() async throws {
        let d = dir(), p = d + "/data.jsonl"
        try lines(20_000).write(toFile: p, atomically: false, encoding: .utf8)
        let (s, e) = await score(p, p, batch: 1000)
        #expect(e == nil)
        #expect(s?.lines == 20_000)
        let out = try outputLines(p)
        #expect(out.count == 20_000)
        #expect(out[19_999]["i"] == 19_999 && out[19_999]["reward"] == .number(Double(19_999 % 7 + 1)))
        // No temporary is left next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["data.jsonl"])
    }

    @Test func hardLinkAndSymlinkToTheInputAreSafe() async throws {
        let d = dir(), p = d + "/data.jsonl"
        try lines(5000).write(toFile: p, atomically: false, encoding: .utf8)
        #expect(link(p, d + "/hard.jsonl") == 0)
        let (_, e1) = await score(p, d + "/hard.jsonl", batch: 100)
        #expect(e1 == nil)
        #expect(try outputLines(d + "/hard.jsonl").count == 5000)
        #expect(try outputLines(p).count == 5000 && (try outputLines(p))[0]["reward"] == nil)  // the input is untouched
        try FileManager.default.createSymbolicLink(atPath: d + "/sym.jsonl", withDestinationPath: "data.jsonl")
        let (_, e2) = await score(d + "/sym.jsonl", d + "/sym.jsonl", batch: 100)
        #expect(e2 == nil)
        // The link still is a link, and its target got the scored lines.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: d + "/sym.jsonl")) == "data.jsonl")
        let out = try outputLines(p)
        #expect(out.count == 5000 && out[4999]["reward"] == .number(Double(4999 % 7 + 1)))
    }

    @Test func unclosedOutputLeavesTheOldFileAndNoTemporary() throws {
        let d = dir(), p = d + "/out.jsonl"
        try "old\n".write(toFile: p, atomically: false, encoding: .utf8)
        do {
            let sink = try OutputSink(path: p)
            try sink.write(Array("new half line".utf8))
            // Writing goes to a temporary; the path still reads the old content.
            #expect(try String(contentsOfFile: p, encoding: .utf8) == "old\n")
        }
        #expect(try String(contentsOfFile: p, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["out.jsonl"])
    }

    @Test func devicesAreWrittenInPlace() throws {
        let sink = try OutputSink(path: "/dev/null")
        try sink.write(Array("x\n".utf8))
        try sink.close()
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func existingPermissionsAreKept() throws {
        let d = dir(), p = d + "/out.jsonl"
        try "old\n".write(toFile: p, atomically: false, encoding: .utf8)
        chmod(p, 0o640)
        let sink = try OutputSink(path: p)
        try sink.write(Array("new\n".utf8))
        try sink.close()
        var st = stat()
        #expect(stat(p, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(try String(contentsOfFile: p, encoding: .utf8) == "new\n")
    }

    // MARK: 2. truncated or corrupt gzip

    @Test func truncatedGzipIsAnErrorNamingFileAndLinesAndKeepsThem() async throws {
        let d = dir(), gz = d + "/in.jsonl.gz", out = d + "/out.jsonl"
        // Incompressible-ish content so that a cut at half the bytes lands mid-stream.
        var rng = SystemRandomNumberGenerator()
        let text = (0..<20_000).map { i in
            #"{"i":\#(i),"response":"\#((0..<24).map { _ in String(UInt8.random(in: 97...122, using: &rng), radix: 36) }.joined())"}"# + "\n"
        }.joined()
        try gzip(text, to: gz)
        let full = try Data(contentsOf: URL(fileURLWithPath: gz))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: gz))
        let (s, e) = await score(gz, out, batch: 500)
        #expect(s == nil)
        let err = try #require(e as? InputStreamError)
        #expect(err.path == gz)
        #expect(err.linesRead > 1000 && err.linesRead < 20_000)
        #expect(err.description.contains("'\(gz)'") && err.description.contains("after line \(err.linesRead)"))
        #expect(err.description.contains("unexpected end of file"))
        // Every complete line read before the cut was scored and written, in order.
        let written = try outputLines(out)
        #expect(written.count == err.linesRead)
        #expect(written.enumerated().allSatisfy { $0.element["i"] == .number(Double($0.offset)) && $0.element["reward"] != .null })
    }

    @Test func corruptGzipIsAnError() async throws {
        let d = dir(), gz = d + "/in.jsonl.gz", out = d + "/out.jsonl"
        try gzip(lines(50_000), to: gz)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: gz)))
        for k in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[k] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: gz))
        let (_, e) = await score(gz, out)
        let err = try #require(e as? InputStreamError)
        #expect(err.description.contains("truncated or corrupt") || err.description.contains("data"))
        #expect(try outputLines(out).count == err.linesRead)
    }

    @Test func intactGzipReadsToTheEnd() async throws {
        let d = dir(), gz = d + "/in.jsonl.gz", out = d + "/out.jsonl.gz"
        try gzip(lines(3000), to: gz)
        let (s, e) = await score(gz, out)
        #expect(e == nil && s?.lines == 3000)
        let r = try RecordInput(path: out)
        var n = 0
        while case let b = try r.nextBatch(max: 1000), !b.isEmpty { n += b.count }
        #expect(n == 3000)
    }

    // MARK: 3. --max-line-bytes on every path

    @Test func lineLimitHoldsWhenTheLineIsAlreadyBuffered() async throws {
        let d = dir(), p = d + "/in.jsonl", out = d + "/out.jsonl"
        let long = #"{"response":"\#(String(repeating: "y", count: 303))"}"#  // 318 bytes
        #expect(long.utf8.count == 318)
        try (#"{"response":"ok"}"# + "\n" + long + "\n" + #"{"response":"end"}"# + "\n").write(toFile: p, atomically: false, encoding: .utf8)
        let (s, e) = await score(p, out, maxLine: 100)
        #expect(e == nil && s?.errors == 1)
        let o = try outputLines(out)
        #expect(o.count == 3)
        #expect(o[1]["error"]?.stringValue == "line 2: line is longer than the line limit (--max-line-bytes); its 318 bytes were skipped")
        #expect(o[2]["reward"] == 3)
    }

    @Test func lineLimitHoldsForJSONArrayElements() throws {
        let d = dir(), p = d + "/in.json"
        try (#"[{"response":"ok"},{"response":"\#(String(repeating: "y", count: 303))"}]"#).write(toFile: p, atomically: false, encoding: .utf8)
        let lines = try RecordInput(path: p, maxLineBytes: 100).nextBatch(max: 10)
        #expect(lines.count == 2 && lines[0].tooLong == nil && lines[1].tooLong == 318)
        #expect(throws: RecordError.self) { try lines[1].object() }
    }

    // MARK: 4. --strict keeps the lines scored before the stop

    @Test func strictStopKeepsEveryLineBeforeIt() async throws {
        let d = dir(), p = d + "/in.jsonl", out = d + "/out.jsonl"
        try (lines(3000) + "{bad json\n" + lines(10)).write(toFile: p, atomically: false, encoding: .utf8)
        let (s, e) = await score(p, out, strict: true)
        #expect(s == nil)
        #expect("\(e!)".hasPrefix("line 3001: invalid JSON"))
        #expect("\(e!)".contains("the 3000 lines before it were written"))
        let o = try outputLines(out)
        #expect(o.count == 3000)
        #expect(o[2999]["i"] == 2999 && o[2999]["reward"] == .number(Double(2999 % 7 + 1)))
    }

    @Test func strictStopWithGroupsKeepsLinesWithoutAdvantages() async throws {
        let d = dir(), p = d + "/in.jsonl", out = d + "/out.jsonl"
        try (#"{"group":"g","response":"a"}"# + "\n" + #"{"group":"g","response":"abc"}"# + "\n{bad\n").write(toFile: p, atomically: false, encoding: .utf8)
        var pl = pipeline(strict: true)
        pl.groupNormalization = GroupNormalization()
        let sink = try OutputSink(path: out)
        await #expect(throws: ConfigError.self) { _ = try await pl.run(input: try RecordInput(path: p), output: sink) }
        try sink.close()
        let o = try outputLines(out)
        #expect(o.map { $0["reward"] } == [1, 3])
        #expect(o.allSatisfy { $0["advantage"] == nil })
    }

    // MARK: 5. coercion rules and wording

    func decodeError(_ json: String) -> String? {
        guard case .object(let o) = try! JSONParser.parse(json) else { return "not an object" }
        do { _ = try RecordDecoder.decode(o, line: 7); return nil } catch { return "\(error)" }
    }

    @Test func nonStringResponsesSayWhatWasFound() {
        #expect(decodeError(#"{"response":42}"#) == "line 7: field 'response': must be a string, got number 42")
        #expect(decodeError(#"{"response":true}"#) == "line 7: field 'response': must be a string, got boolean true")
        #expect(decodeError(#"{"response":null}"#)?.hasPrefix("line 7: field 'response': is null (expected a string") == true)
        #expect(decodeError(#"{"prompt":"p"}"#)?.hasPrefix("line 7: field 'response': missing (expected a string") == true)
        #expect(decodeError(#"{"chosen":1,"rejected":"r"}"#) == "line 7: field 'chosen': must be a string or a list of messages, got number 1")
        #expect(decodeError(#"{"response":"r","reference":[1]}"#) == "line 7: field 'reference': must be a string or a number, got array")
    }

    @Test func numericAnswersAndKeysAreReadAsTheirJSONText() throws {
        guard case .object(let o) = try JSONParser.parse(#"{"id":7,"group":3,"response":"r","reference":0.5,"answer":"ignored"}"#),
              case .single(let s) = try RecordDecoder.decode(o, line: 1) else { Issue.record("not a single record"); return }
        #expect(s.reference == "0.5" && s.id == "7" && s.group == "3")
        guard case .object(let o2) = try JSONParser.parse(#"{"response":"r","reference":null,"answer":42}"#),
              case .single(let s2) = try RecordDecoder.decode(o2, line: 1) else { Issue.record("not a single record"); return }
        #expect(s2.reference == "42")  // null counts as absent, so `answer` is used
    }
}
