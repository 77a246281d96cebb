import Foundation
import Testing
@testable import RewardCore

/// The streaming pipeline on real files: bad lines become error records, nothing else is lost.
@Suite struct PipelineTests {
    struct LengthReward: SampleReward {
        var kind: String { "len" }
        func score(_ s: Sample, index: Int, context: ScoringContext) -> RewardResult { RewardResult(reward: Double(s.response.count)) }
    }

    func tmp(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-pipe-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func run(_ bytes: [UInt8], maxLine: Int = LineReader.defaultMaxLineBytes, strict: Bool = false, groups: Bool = false) async throws -> ([JSONValue], ScoreSummary) {
        let inPath = tmp("in.jsonl"), outPath = tmp("out.jsonl")
        FileManager.default.createFile(atPath: inPath, contents: Data(bytes))
        var p = ScoringPipeline(reward: CompositeReward(parts: [.init(name: "len", function: LengthReward())]))
        p.batchLines = 3  // several batches and slices even on small inputs
        p.strict = strict
        if groups { p.groupNormalization = GroupNormalization() }
        let sink = try OutputSink(path: outPath)
        let summary = try await p.run(input: try RecordInput(path: inPath, maxLineBytes: maxLine), output: sink)
        try sink.close()
        let out = try String(contentsOfFile: outPath, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        return (out, summary)
    }

    @Test func badLinesBecomeErrorRecordsInOrder() async throws {
        var text = ""
        text += #"{"id":"1","response":"abc"}"# + "\n"
        text += #"{"id":"2","response": oops}"# + "\n"  // invalid JSON
        text += #"{"id":"3","response":12}"# + "\n"  // a number is not model text
        text += #"{"id":"4","response":["x"]}"# + "\n"  // wrong type
        text += #"{"id":"5","prompt":"no response"}"# + "\n"  // missing field
        text += "[1,2]\n"  // not an object
        text += "\n"  // blank: skipped
        text += #"{"id":"8","chosen":"long answer","rejected":"short"}"# + "\n"
        var bytes = Array(text.utf8)
        bytes += Array(#"{"id":"9","response":""#.utf8) + [0xFF, 0xFE] + Array("\"}\n".utf8)  // invalid UTF-8
        bytes += Array(#"{"id":"10","response":"last, no newline"}"#.utf8)
        let (out, s) = try await run(bytes)
        #expect(out.count == 9)
        #expect(s.lines == 9 && s.errors == 6 && s.scored == 3)
        #expect(out[0]["reward"] == 3 && out[0]["id"] == "1")
        #expect(out[1]["error"]?.stringValue?.hasPrefix("line 2: invalid JSON") == true)
        #expect(out[1]["reward"] == .null)
        #expect(out[2]["error"]?.stringValue == "line 3: field 'response': must be a string, got number 12")
        #expect(out[3]["error"]?.stringValue == "line 4: field 'response': must be a string, got array")
        #expect(out[3]["id"] == "4")
        #expect(out[4]["error"]?.stringValue?.hasPrefix("line 5: field 'response': missing") == true)
        #expect(out[5]["error"]?.stringValue == "line 6: expected a JSON object, got array")
        #expect(out[6]["reward"] == 6 && out[6]["reward_chosen"] == 11 && out[6]["reward_rejected"] == 5)
        #expect(out[7]["error"]?.stringValue?.contains("line 9") == true)
        #expect(out[7]["error"]?.stringValue?.contains("UTF-8") == true)
        #expect(out[8]["reward"] == 16)
        #expect(s.pairs == 1 && s.pairsCorrect == 1)
    }

    @Test func overlongLineIsSkippedNotBuffered() async throws {
        var bytes = Array(#"{"response":"a"}"#.utf8) + [0x0A]
        bytes += Array(#"{"response":""#.utf8) + [UInt8](repeating: 0x61, count: 10 << 20) + Array("\"}\n".utf8)
        bytes += Array(#"{"response":"bb"}"#.utf8)
        let (out, s) = try await run(bytes, maxLine: 1 << 20)
        #expect(out.count == 3 && s.errors == 1)
        #expect(out[1]["error"]?.stringValue?.contains("line 2: line is longer than the line limit") == true)
        #expect(out[2]["reward"] == 2)
    }

    @Test func emptyFileGivesNothing() async throws {
        let (out, s) = try await run([])
        #expect(out.isEmpty && s.lines == 0)
    }

    @Test func strictStopsAtFirstError() async throws {
        await #expect(throws: ConfigError.self) {
            _ = try await run(Array("{\"response\":\"a\"}\n{bad\n".utf8), strict: true)
        }
    }

    @Test func inputFieldsRoundTripVerbatim() async throws {
        let line = #"{"z": 1.50, "response": "é\u00e9", "nested": {"k": [1, 2]}}"#
        let inPath = tmp("rt.jsonl"), outPath = tmp("rt.out")
        FileManager.default.createFile(atPath: inPath, contents: Data((line + "\n").utf8))
        let sink = try OutputSink(path: outPath)
        _ = try await ScoringPipeline(reward: LengthReward()).run(input: try RecordInput(path: inPath), output: sink)
        try sink.close()
        let out = try String(contentsOfFile: outPath, encoding: .utf8)
        #expect(out == String(line.dropLast()) + #","reward":2}"# + "\n")
    }

    @Test func jsonArrayAndGzipInput() async throws {
        let arr = #"[{"response":"ab"},{"response":"abcd"}]"#
        let (out, _) = try await run(Array(arr.utf8))
        #expect(out.map { $0["reward"] } == [2, 4])
        // gzip via the system tool, then read back through zlib.
        let plain = tmp("g.jsonl")
        FileManager.default.createFile(atPath: plain, contents: Data("{\"response\":\"xyz\"}\n".utf8))
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gz.arguments = ["-f", plain]
        try gz.run()
        gz.waitUntilExit()
        let reader = try RecordInput(path: plain + ".gz")
        let lines = try reader.nextBatch(max: 10)
        #expect(lines.count == 1 && String(decoding: lines[0].bytes, as: UTF8.self) == "{\"response\":\"xyz\"}")
    }

    @Test func groupNormalizationAddsAdvantages() async throws {
        let text = ["a", "abc", "ab", "x"].enumerated().map { i, r in #"{"group":"\#(i < 3 ? "g" : "h")","response":"\#(r)"}"# }.joined(separator: "\n")
        let (out, _) = try await run(Array(text.utf8), groups: true)
        let adv = out.map { $0["advantage"]!.doubleValue! }
        #expect(abs(adv[0] + adv[1] + adv[2]) < 1e-9)
        #expect(adv[1] > 0 && adv[0] < 0 && adv[3] == 0)
    }
}
