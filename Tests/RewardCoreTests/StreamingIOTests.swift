import Foundation
import Testing
@testable import RewardCore

/// Issue 15 (speed): the fast paths of the JSONL stream — word-at-a-time string scanning in the
/// parser, run copying in the writer, worker-serialized output spliced into the input bytes,
/// overlapped read/process/write — checked against independent or bytewise implementations.
@Suite struct StreamingIOTests {
    // MARK: parser: 8-byte scanning must find every quote, backslash and control byte

    /// Strings whose one special sequence sits at every offset across two 8-byte words.
    static let specials = [#"\""#, #"\\"#, #"\n"#, #"\/"#, #"\u00e9"#, #"\ud83d\ude00"#, "é", "😀", "\u{7F}", #"\t"#]

    @Test func stringScanningAgreesWithFoundationAtEveryOffset() throws {
        for special in Self.specials {
            for offset in 0..<20 {
                for tail in [0, 1, 7, 8, 9] {
                    let body = String(repeating: "a", count: offset) + special + String(repeating: "b", count: tail)
                    let text = #"{"k":""# + body + #"","n":1}"#
                    let ours = try JSONParser.parse(text)
                    let ref = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
                    #expect(ours["k"]?.stringValue == ref["k"] as? String, "\(text)")
                    #expect(ours["n"] == 1)
                }
            }
        }
    }

    @Test func rawControlBytesAreRejectedAtEveryOffset() {
        for offset in 0..<20 {
            for c in [UInt8(0x00), 0x0A, 0x1F] {
                var bytes = Array(#"{"k":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: offset)
                bytes.append(c)
                bytes += Array(#"x"}"#.utf8)
                #expect(throws: JSONParseError.self) { _ = try JSONParser.parse(bytes: bytes) }
            }
        }
    }

    @Test func specialByteScannerIsExactOnEveryByteValueAndOffset() {
        // 70 bytes: the 32-byte, 16-byte and bytewise parts of the SIMD scanner all see the byte.
        for v in 0...255 {
            for offset in [0, 5, 15, 16, 31, 32, 47, 48, 63, 64, 69] {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 70)
                bytes[offset] = UInt8(v)
                let special = v == 0x22 || v == 0x5C || v < 0x20
                #expect(JSONParser.firstSpecialByte(bytes, stopAtNonASCII: false) == (special ? offset : 70), "byte \(v) at \(offset)")
                #expect(JSONParser.firstSpecialByte(bytes, stopAtNonASCII: true) == (special || v >= 0x80 ? offset : 70), "byte \(v) at \(offset)")
            }
        }
        #expect(JSONParser.firstSpecialByte([], stopAtNonASCII: true) == 0)
    }

    // MARK: writer: run copying must match the bytewise escaper

    /// The escaper as it was before run copying (one byte at a time).
    static func bytewiseEscape(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        let hex = Array("0123456789abcdef".utf8)
        for c in s.utf8 {
            switch c {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + [hex[Int(c >> 4)], hex[Int(c & 0xF)]]
            default: out.append(c)
            }
        }
        return out + [0x22]
    }

    @Test func writerMatchesBytewiseEscaperOnMixedStrings() throws {
        var rng = SystemRandomNumberGenerator()
        let pool: [String] = ["a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\\frac{1}{2}", "}", "{"]
        for _ in 0..<2000 {
            let s = (0..<Int.random(in: 0...40, using: &rng)).map { _ in pool.randomElement(using: &rng)! }.joined()
            var w = JSONWriter()
            w.write(string: s)
            #expect(w.bytes == Self.bytewiseEscape(s), "\(s.debugDescription)")
            #expect(try JSONParser.parse(bytes: w.bytes) == .string(s))
        }
    }

    // MARK: the stream: spliced output, byte for byte, on awkward lines

    struct LengthReward: SampleReward {
        var kind: String { "len" }
        func score(_ s: Sample, index: Int, context: ScoringContext) -> RewardResult { RewardResult(reward: Double(s.response.utf8.count)) }
    }

    func dir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-stream-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }

    /// Awkward but valid records, as written by real tools: escapes, raw and escaped unicode,
    /// nested objects and arrays, spaces before the closing brace, long responses.
    func awkwardLine(_ i: Int) -> String {
        switch i % 8 {
        case 0: return #"{"i":\#(i),"response":"plain \#(i)"}"#
        case 1: return #"{"i": \#(i), "response": "quote \" backslash \\ newline \n tab \t slash \/ end"}"#
        case 2: return #"{"i":\#(i),"response":"caf\u00e9 \ud83d\ude00 café 😀 \u2019"}"#
        case 3: return #"{"i":\#(i),"meta":{"a":[1,2,{"b":null}],"c":"}"},"response":"nested"}"#
        case 4: return #"{"i":\#(i),"response":"spaces before the brace"}   "#
        case 5: return #"{"i":\#(i),"response":"\#(String(repeating: "long \\\"x\\\" ", count: 3000 + i % 5))"}"#
        case 6: return #"{"i":\#(i),"response":"\\boxed{\\frac{1}{2}}","reward":"old"}"#
        default: return #"{"i":\#(i),"response":""}"#
        }
    }

    /// What the output line must be: the input bytes up to the closing brace, then the added
    /// fields; a line that already has `reward` is re-serialized with it replaced.
    func expectedLine(_ line: String) throws -> String {
        let obj = try JSONParser.parse(line).objectValue!
        let r = Double(obj["response"]!.stringValue!.utf8.count)
        if obj.contains("reward") {
            var o = obj
            o["reward"] = .number(r)
            return JSONValue.object(o).jsonString
        }
        var t = line
        while t.last == " " { t.removeLast() }
        t.removeLast()
        var w = JSONWriter()
        w.write(number: r)
        return t + #","reward":"# + w.string + "}"
    }

    func runPipeline(_ text: String, concurrency: Int, batch: Int) async throws -> String {
        let d = dir()
        try text.write(toFile: d + "/in.jsonl", atomically: false, encoding: .utf8)
        var p = ScoringPipeline(reward: LengthReward())
        p.concurrency = concurrency
        p.batchLines = batch
        let sink = try OutputSink(path: d + "/out.jsonl")
        _ = try await sink.publishing { try await p.run(input: try RecordInput(path: d + "/in.jsonl"), output: sink) }
        return try String(contentsOfFile: d + "/out.jsonl", encoding: .utf8)
    }

    @Test func splicedOutputMatchesByteForByteWithCRLFAndNoFinalNewline() async throws {
        let lines = (0..<3001).map(awkwardLine)
        // CRLF endings, a blank line in the middle, and no newline after the last line.
        let text = lines[..<1500].joined(separator: "\r\n") + "\r\n\r\n" + lines[1500...].joined(separator: "\n")
        let expected = try lines.map(expectedLine).joined(separator: "\n") + "\n"
        for (threads, batch) in [(1, 8192), (2, 8192), (2, 700), (3, 1)] {
            let out = try await runPipeline(text, concurrency: threads, batch: batch)
            #expect(out == expected, "threads \(threads) batch \(batch)")
        }
    }

    @Test func errorLinesKeepTheirPlaceAndWording() async throws {
        var lines = (0..<1200).map(awkwardLine)
        lines[5] = #"{"i":5,"response":"unterminated"#
        lines[700] = #"{"i":700,"response":"bad \x escape"}"#
        lines[1199] = #"["not","an","object"]"#
        let out = try await runPipeline(lines.joined(separator: "\n"), concurrency: 2, batch: 512)
        let o = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        try #require(o.count == 1200)
        #expect(o[5] == #"{"line":6,"reward":null,"error":"line 6: invalid JSON at byte 31: unterminated string"}"#)
        #expect(o[700].hasPrefix(#"{"line":701,"reward":null,"error":"line 701: invalid JSON at byte "#) && o[700].contains(#"invalid escape '\\x'"#))
        #expect(o[1199] == #"{"line":1200,"reward":null,"error":"line 1200: expected a JSON object, got array"}"#)
        let e4 = try expectedLine(lines[4]), e1198 = try expectedLine(lines[1198])
        #expect(o[4] == e4 && o[1198] == e1198)
    }

    // MARK: reader: plain files are read without zlib, gzip through it; same lines either way

    @Test func plainAndGzipFilesGiveTheSameLinesAcrossBufferBoundaries() throws {
        let d = dir()
        // Lines from 0 bytes to 2.5 MB (over the 1 MB read size and the 2 MB first buffer), CRLF
        // and LF endings, and no newline after the last one.
        var expected: [[UInt8]] = []
        var text: [UInt8] = []
        for i in 0..<400 {
            let n = i == 137 ? 2_500_000 : (i * 7919) % 20_000
            let line = [UInt8](repeating: UInt8(ascii: "a") + UInt8(i % 26), count: n)
            expected.append(line)
            text += line + (i == 399 ? [] : (i % 3 == 0 ? [0x0D, 0x0A] : [0x0A]))
        }
        try Data(text).write(to: URL(fileURLWithPath: d + "/plain.jsonl"))
        let gz = try OutputSink(path: d + "/packed.gz")
        try gz.write(text)
        try gz.close()
        for path in [d + "/plain.jsonl", d + "/packed.gz"] {
            let r = try LineReader(path: path)
            var got: [[UInt8]] = []
            while let l = try r.next() { got.append(l.bytes) }
            #expect(got.count == expected.count && got == expected, "\(path)")
            if path.hasSuffix("plain.jsonl") { #expect(r.bytesRead == Int64(text.count)) }
        }
        // The line limit still refuses the long line and goes on with the next.
        let r = try LineReader(path: d + "/plain.jsonl", maxLineBytes: 1_000_000)
        var numbers: [Int] = []
        var refused: [Int: Int] = [:]
        while let l = try r.next() {
            numbers.append(l.number)
            if let n = l.tooLong { refused[l.number] = n }
        }
        #expect(numbers == Array(1...400) && refused == [138: 2_500_000])
    }

    @Test func integersPrintAsStringDoes() {
        for v: Int64 in [0, 1, -1, 9, 10, -10, 99, 100, 12345, -999_999_999_999_999, 999_999_999_999_999, Int64(Int32.max), 1 << 40] {
            var w = JSONWriter()
            w.write(number: Double(v))
            #expect(w.string == String(v))
        }
        var w = JSONWriter()
        w.write(number: -0.0)
        #expect(w.string == "0")
    }

    // MARK: LineStream: order, overlap and stream failures

    @Test func lineStreamKeepsInputOrderForEverySliceLayout() async throws {
        let d = dir()
        let n = 5003
        try (1...n).map { #"{"n":\#($0)}"# }.joined(separator: "\n").write(toFile: d + "/in.jsonl", atomically: false, encoding: .utf8)
        for (workers, batch, minSlice) in [(1, 8192, 256), (2, 1000, 1), (4, 333, 10), (2, 1, 1)] {
            var s = LineStream<[Int]>(batchLines: batch, concurrency: workers) { lines in lines.map(\.number) }
            s.minSliceLines = minSlice
            var seen: [Int] = []
            try await s.run(input: try RecordInput(path: d + "/in.jsonl")) { seen += $0 }
            #expect(seen == Array(1...n), "workers \(workers) batch \(batch)")
        }
    }

    @Test func lineStreamDeliversEveryLineBeforeATruncatedGzipThenThrows() async throws {
        let d = dir(), path = d + "/in.jsonl.gz"
        let sink = try OutputSink(path: path)
        try sink.write(Array((1...60_000).map { #"{"n":\#($0),"pad":"\#(UUID().uuidString)"}"# + "\n" }.joined().utf8))
        try sink.close()
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: path))
        let s = LineStream<[Int]>(batchLines: 4096, concurrency: 2) { lines in lines.map(\.number) }
        var seen: [Int] = []
        await #expect(throws: InputStreamError.self) {
            try await s.run(input: try RecordInput(path: path)) { seen += $0 }
        }
        #expect(seen.count > 1000 && seen == Array(1...seen.count))
    }

    @Test func publishingKeepsWhatWasWrittenAndRethrows() async throws {
        let d = dir(), path = d + "/out.jsonl"
        let sink = try OutputSink(path: path)
        await #expect(throws: ConfigError.self) {
            try await sink.publishing {
                try sink.write(Array("kept\n".utf8))
                throw ConfigError("stop")
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "kept\n")
    }
}
