import Foundation
import Testing
@testable import RewardCore

/// `JSONParser.parseObject(bytes:keeping:)` must agree with `JSONParser.parse` on every
/// input: the kept members equal, and a malformed line fails with the same message at the
/// same byte offset even when the fault is inside a skipped value.
@Suite struct JSONFieldScannerTests {
    static func full(_ b: [UInt8]) -> Result<JSONValue, JSONParseError> {
        do { return .success(try JSONParser.parse(bytes: b)) } catch let e as JSONParseError { return .failure(e) } catch { fatalError() }
    }

    static func partial(_ b: [UInt8], _ keys: Set<String>) -> Result<(object: JSONObject, isEmpty: Bool)?, JSONParseError> {
        do { return .success(try JSONParser.parseObject(bytes: b, keeping: keys)) } catch let e as JSONParseError { return .failure(e) } catch { fatalError() }
    }

    static func agree(_ b: [UInt8], keys: Set<String> = ["k"]) {
        switch (full(b), partial(b, keys)) {
        case (.failure(let a), .failure(let p)):
            #expect(a.message == p.message, "\(String(decoding: b, as: UTF8.self))")
            #expect(a.offset == p.offset, "\(String(decoding: b, as: UTF8.self))")
        case (.success(.object(let o)), .success(let r?)):
            #expect(r.isEmpty == (o.count == 0))
            #expect(r.object.members == o.members.filter { keys.contains($0.key) })
        case (.success, .success(nil)):
            break  // not an object: callers use parse() for the message
        case (let a, let p):
            Issue.record("disagree on \(String(decoding: b, as: UTF8.self)): \(a) vs \(String(describing: p))")
        }
    }

    @Test(arguments: [
        #"{"a":"x","k":"kept","z":[1,{"q":null}]}"#, #"{"k":1,"k":2}"#, #"{}"#, #"{"a":1}"#, #" {"k" : [ ] } "#,
        #"{"a":"\u00e9\ud83d\ude00","k":"\ud800x"}"#, #"{"a":"\ud83dx","k":0}"#, #"{"a":"esc \" \\ \/ \b\f\n\r\t","k":true}"#,
        // malformed, the fault inside a skipped value
        #"{"a":"\x","k":1}"#, #"{"a":"abc"#, #"{"a":"ab\"#, #"{"a":"\u12G4","k":1}"#, #"{"a":"\ud800\u12","k":1}"#,
        #"{"a":[1,],"k":1}"#, #"{"a":{"b" 1}}"#, #"{"a":tru}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":[1 2]}"#,
        #"{"a":{"b":1}}}"#, #"{"a":1"#, #"{"a":}"#, #"{"a":1,}"#, #"{"a":{}"#, #"{"a":[}"#, "{\"a\":\"tab\there\"}",
        #"[1,2]"#, #""str""#, #"3"#, "", " ", #"{"k":1} x"#,
    ])
    func agreesWithFullParse(_ text: String) {
        Self.agree(Array(text.utf8))
    }

    @Test func invalidUTF8InSkippedStrings() {
        // No escape: reported at the string's start; with an escape: after its closing quote.
        let cases: [[UInt8]] = [
            [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xF8], [0x80],
            [0xE0, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], Array("abcdefgh".utf8) + [0xC3], [0xC3, 0xA9, 0xE2, 0x82, 0xAC],
        ]
        for c in cases {
            for (pre, post) in [([UInt8](), [UInt8]()), (Array(#"x\n"#.utf8), []), ([], Array(#"\t"#.utf8)), (Array("0123456789".utf8), Array(#"\u00e9z"#.utf8))] {
                let b = Array(#"{"a":""#.utf8) + pre + c + post + Array(#"","k":1}"#.utf8)
                Self.agree(b)
            }
        }
    }

    /// Stubbed members: a string value stands in as "", any other value is built; the same
    /// errors as the full parse.
    static func agreeStubbed(_ b: [UInt8]) {
        let filter = JSONKeyFilter(build: ["k"], stub: ["s"])
        let p: Result<(object: JSONObject, isEmpty: Bool)?, JSONParseError>
        do { p = .success(try JSONParser.parseObject(bytes: b, filter: filter)) } catch let e as JSONParseError { p = .failure(e) } catch { fatalError() }
        switch (full(b), p) {
        case (.failure(let a), .failure(let e)):
            #expect(a.message == e.message && a.offset == e.offset, "\(String(decoding: b, as: UTF8.self))")
        case (.success(.object(let o)), .success(let r?)):
            let expected = o.members.filter { $0.key == "k" || $0.key == "s" }.map { m in
                m.key == "s" && m.value.stringValue != nil ? JSONMember("s", .string("")) : m
            }
            #expect(r.object.members == expected, "\(String(decoding: b, as: UTF8.self))")
        case (.success, .success(nil)):
            break
        case (let a, let e):
            Issue.record("disagree on \(String(decoding: b, as: UTF8.self)): \(a) vs \(String(describing: e))")
        }
    }

    @Test(arguments: [
        #"{"s":"text","k":1,"z":"skip"}"#, #"{"s":5,"k":"kept"}"#, #"{"s":["a",{"b":"c"}],"k":null}"#, #"{"s":null}"#,
        #"{"s":"a","s":"b"}"#, #"{"\u0073":"escaped key","\u006b":2}"#, #"{"é":1,"k":"x","s":"é"}"#,
        #"{"s":"bad \x"}"#, #"{"s":"\ud800\u12"}"#, #"{"s":"open"#, #"{"s":tru}"#, "{\"s\":\"ctl\u{01}\"}",
    ])
    func stubbedMembersAgreeWithFullParse(_ text: String) {
        Self.agreeStubbed(Array(text.utf8))
    }

    @Test func skippedStringsAgreeAcrossEveryScanBoundary() {
        // The SIMD scanner works on 32- and 16-byte blocks and then bytewise: each special
        // sequence (valid or not) is put at every offset across those boundaries.
        let specials: [[UInt8]] = [Array(#"\""#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), Array("é😀".utf8),
                                   [0xC3, 0x28], [0xE2, 0x82], [0xF8], [0x01], Array(#"\q"#.utf8), [0x7F]]
        for sp in specials {
            for offset in 0..<70 {
                let body = [UInt8](repeating: UInt8(ascii: "a"), count: offset) + sp + Array("bb".utf8)
                Self.agree(Array(#"{"a":""#.utf8) + body + Array(#"","k":1}"#.utf8))
                Self.agree(Array(#"{"k":""#.utf8) + body + Array(#"","a":1}"#.utf8))
                Self.agreeStubbed(Array(#"{"s":""#.utf8) + body + Array(#"","k":1}"#.utf8))
            }
        }
    }

    @Test func depthLimitInSkippedValue() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        Self.agree(Array(#"{"a":\#(deep),"k":1}"#.utf8))
        #expect(throws: JSONParseError.self) { try JSONParser.parseObject(bytes: Array(#"{"a":\#(deep)}"#.utf8), keeping: []) }
    }

    @Test func inputLineKeepsOnlyNamedFields() throws {
        let line = InputLine(number: 7, bytes: Array(#"{"prompt":"long text","gold":"3","pred":4}"#.utf8))
        let r = try line.object(keeping: ["gold", "pred"])
        #expect(r.object.keys == ["gold", "pred"])
        #expect(r.object["pred"] == .number(4))
        #expect(!r.isEmpty)
        let bad = InputLine(number: 9, bytes: Array(#"{"prompt":"\q","gold":"3"}"#.utf8))
        #expect(throws: RecordError.self) { try bad.object(keeping: ["gold"]) }
        do { _ = try bad.object(keeping: ["gold"]) } catch { #expect("\(error)" == "line 9: invalid JSON at byte 13: invalid escape '\\q'") }
        let array = InputLine(number: 2, bytes: Array("[1]".utf8))
        do { _ = try array.object(keeping: ["gold"]); Issue.record("no error") } catch { #expect("\(error)" == "line 2: expected a JSON object, got array") }
    }
}
