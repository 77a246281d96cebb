import Foundation
import Testing
@testable import RewardCore

/// Issue 15 (speed, round 5): a batch's lines are slices of one shared buffer, not an array each,
/// and the stream's small first batches and queued slices keep every line, in order.
@Suite struct BatchBufferTests {
    func dir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-batch-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }

    @Test func batchLinesAreConsecutiveSlicesOfOneBuffer() throws {
        let d = dir()
        // CRLF, blank and whitespace-only lines, an over-long line, a last line without newline.
        let text = "{\"a\":1}\r\n\n   \n{\"b\":22}\n{\"long\":\"" + String(repeating: "x", count: 100) + "\"}\n\t\r\n{\"c\":3}"
        try text.write(toFile: d + "/in.jsonl", atomically: false, encoding: .utf8)
        let input = try RecordInput(path: d + "/in.jsonl", maxLineBytes: 50)
        let lines = try input.nextBatch(max: 100)
        #expect(lines.map(\.number) == [1, 4, 5, 7])
        #expect(lines.map { String(decoding: $0.slice, as: UTF8.self) } == [#"{"a":1}"#, #"{"b":22}"#, "", #"{"c":3}"#])
        #expect(lines.map(\.tooLong) == [nil, nil, 111, nil])
        #expect(lines[1].bytes == Array(#"{"b":22}"#.utf8))
        // One buffer: each line starts where the one before it ends (no array per line).
        let starts = lines.map { l in l.slice.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(starts[1] == starts[0] + 7)
        #expect(starts[3] == starts[1] + 8)
        #expect(try input.nextBatch(max: 100).isEmpty)
    }

    @Test func batchEndsAtTheByteBudgetAndBuffersAreReusedOnceReleased() throws {
        let d = dir()
        try (1...40).map { #"{"n":\#($0)}"# }.joined(separator: "\n").write(toFile: d + "/in.jsonl", atomically: false, encoding: .utf8)
        let input = try RecordInput(path: d + "/in.jsonl")
        // 7-byte lines: the batch ends with the line that reaches 10 bytes.
        #expect(try input.nextBatch(max: 100, maxBytes: 10).map(\.number) == [1, 2])
        func base(_ lines: [InputLine]) -> UInt { lines[0].slice.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        // Released batches: the reader cycles through its buffers and fills the same memory again.
        var bases: [UInt] = []
        for _ in 0..<12 { bases.append(base(try input.nextBatch(max: 2))) }
        #expect(Set(bases).count <= 6)
        #expect(bases[6] == bases[0] && bases[7] == bases[1])
        // A batch still held keeps its buffer: the next batch in that slot gets new memory.
        let held = try input.nextBatch(max: 2)
        for _ in 0..<5 { _ = try input.nextBatch(max: 2) }
        let next = try input.nextBatch(max: 2)
        #expect(base(next) != base(held))
        #expect(held.map(\.number) == [27, 28] && String(decoding: held[0].slice, as: UTF8.self) == #"{"n":27}"#)
    }

    @Test func outputLineFromASliceEqualsTheArrayPath() {
        let store = Array(#"xx{"a":1}  {}{"reward":0}"#.utf8)
        let adds = [JSONMember("reward", .number(0.5))]
        for (range, obj) in [(2..<9, JSONObject([JSONMember("a", .number(1))])), (11..<13, JSONObject()),
                             (13..<25, JSONObject([JSONMember("reward", .number(0))]))] {
            var a = JSONWriter(), b = JSONWriter()
            OutputLine.make(raw: Array(store[range]), object: obj, additions: adds, into: &a)
            OutputLine.make(raw: store[range], object: obj, additions: adds, into: &b)
            #expect(a.bytes == b.bytes)
        }
        var w = JSONWriter()
        OutputLine.make(raw: store[2..<11], object: JSONObject([JSONMember("a", .number(1))]), additions: adds, into: &w)
        #expect(w.string == #"{"a":1,"reward":0.5}"# + "\n")
        w = JSONWriter()
        OutputLine.make(raw: store[11..<13], object: JSONObject(), additions: adds, into: &w)
        #expect(w.string == #"{"reward":0.5}"# + "\n")
    }

    @Test func bigWritesBypassingStdioKeepTheOrderOfSmallOnes() throws {
        let d = dir(), path = d + "/out.jsonl"
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: (128 << 10) + 3)
        var expected: [UInt8] = []
        let sink = try OutputSink(path: path)
        for chunk in [Array("a\n".utf8), big, Array("b".utf8), Array("c\n".utf8), big, big, Array("d\n".utf8)] {
            try sink.write(chunk)
            expected += chunk
        }
        try sink.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    }

    @Test func streamWithSmallFirstBatchesKeepsEveryLineInOrder() async throws {
        let d = dir()
        let n = 20_011
        try (1...n).map { #"{"n":\#($0)}"# }.joined(separator: "\n").write(toFile: d + "/in.jsonl", atomically: false, encoding: .utf8)
        for (first, batch) in [(1024, 8192), (1, 3), (7, 100), (5000, 2000)] {
            var s = LineStream<[Int]>(batchLines: batch, concurrency: 2) { lines in lines.map(\.number) }
            s.firstBatchLines = first
            s.minSliceLines = 1
            var seen: [Int] = [], calls = 0
            try await s.run(input: try RecordInput(path: d + "/in.jsonl")) { seen += $0; calls += 1 }
            #expect(seen == Array(1...n), "first \(first) batch \(batch)")
            #expect(calls > 1)
        }
    }
}
