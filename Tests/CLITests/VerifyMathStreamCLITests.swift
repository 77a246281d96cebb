import Foundation
import Testing
import RewardCore

/// Issue 15: `verify math` runs on the streaming core of `score` — verdicts spliced into the
/// input bytes by the workers, in input order, the same for any thread count.
@Suite struct VerifyMathStreamCLITests {
    /// Awkward but valid pairs: escapes, unicode, nested objects, spaces before the brace,
    /// a numeric gold, and an input that already has a `correct` field (re-serialized, replaced).
    static let pairs: [String] = [
        #"{"gold":"18","pred":"She makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18"}"#,
        #"{"id": 7, "gold": "\\frac{1}{2}", "pred": "So the answer is $\\boxed{\\frac{1}{2}}$ \u2014 caf\u00e9 😀"}"#,
        #"{"meta":{"a":[1,{"b":"}"}]},"gold":3,"pred":"x = \"3\"\tso \\boxed{4}"}  "#,
        #"{"gold":"(0,1)","pred":"The range is $0<f(x)<1$."}"#,
        #"{"gold":"12","pred":"no number here","correct":"labelled"}"#,
        #"{"gold":"5","pred":""}"#,
    ]

    func verdict(_ pairLine: String) throws -> JSONObject {
        let o = try JSONParser.parse(pairLine).objectValue!
        let g = o["gold"]!.stringValue ?? o["gold"]!.jsonString
        let r = try CLI.run(["verify", "math", "--gold", g, "--pred", o["pred"]!.stringValue!])
        var v = try JSONParser.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines)).objectValue!
        v["gold"] = nil
        v["pred"] = nil
        return v
    }

    @Test func streamedVerdictsAreSplicedIntoTheInputBytesForAnyThreadCount() throws {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-vm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        let lines = (0..<1800).map { Self.pairs[$0 % Self.pairs.count] }
        // CRLF endings and no final newline.
        let path = d.appendingPathComponent("pairs.jsonl").path
        try lines.joined(separator: "\r\n").write(toFile: path, atomically: false, encoding: .utf8)
        let verdicts = try Self.pairs.map(verdict)
        var outputs: [String] = []
        for threads in ["1", "2", "3"] {
            let r = try CLI.run(["verify", "math", "--in", path, "--threads", threads])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.contains("verify math: 1800 lines, "), "\(r.err)")
            outputs.append(r.out)
        }
        #expect(outputs[1] == outputs[0] && outputs[2] == outputs[0])
        let out = outputs[0].split(separator: "\n").map(String.init)
        try #require(out.count == 1800)
        for (k, line) in out.prefix(Self.pairs.count * 2).enumerated() {
            let input = Self.pairs[k % Self.pairs.count]
            var expected = try JSONParser.parse(input).objectValue!
            for m in verdicts[k % Self.pairs.count] { expected[m.key] = m.value }
            #expect(try JSONParser.parse(line) == .object(expected), "\(line)")
            if !input.contains(#""correct""#) {
                // The input bytes are kept verbatim up to the closing brace.
                var head = input
                while head.last == " " { head.removeLast() }
                head.removeLast()
                #expect(line.hasPrefix(head + #","correct":"#), "\(line)")
            }
        }
    }

    @Test func errorRecordsNameLineAndFieldInOrder() throws {
        let text = [#"{"gold":"1","pred":"1"}"#, #"{"pred":"1"}"#, "{oops", #"{"gold":[1],"pred":"1"}"#, #"{"gold":"2","pred":"2"}"#].joined(separator: "\n") + "\n"
        let r = try CLI.run(["verify", "math", "--in", "-", "--threads", "2"], stdin: Data(text.utf8))
        #expect(r.status == 0)
        let o = r.out.split(separator: "\n").map(String.init)
        try #require(o.count == 5)
        #expect(o[1] == #"{"line":2,"error":"line 2: field 'gold': missing"}"#)
        #expect(o[2].hasPrefix(#"{"line":3,"error":"line 3: invalid JSON at byte "#))
        #expect(o[3] == #"{"line":4,"error":"line 4: field 'gold': must be a string or a number, got array"}"#)
        #expect(o[0].hasPrefix(#"{"gold":"1","pred":"1","correct":true"#) && o[4].hasPrefix(#"{"gold":"2","pred":"2","correct":true"#))
        #expect(r.err.contains("verify math: 5 lines, 2 correct, 0 undecided, 3 errors"), "\(r.err)")
    }
}
