import Foundation
import Testing
@testable import RewardCore

/// The parser's own UTF-8 check (`Cursor.validString`, which replaced `String(validating:)`)
/// and the addition-key check (`ScoringPipeline.isAdditionKey`, length and first byte before a
/// hash) must decide exactly as the standard library does.
@Suite struct JSONStringKeyTests {
    /// Byte strings that are valid and invalid UTF-8 at every position class: ASCII runs longer
    /// than the 16-byte scan, each sequence length, the boundary code points, overlong forms,
    /// surrogates, values above U+10FFFF, stray continuation bytes and cut sequences at the end.
    static let cases: [[UInt8]] = {
        let pieces: [[UInt8]] = [
            [], Array("plain".utf8), Array(String(repeating: "a", count: 40).utf8),
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], Array("é😀".utf8),
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
        ]
        var out: [[UInt8]] = []
        for p in pieces {
            out.append(p)
            out.append(Array(String(repeating: "x", count: 17).utf8) + p)
            out.append(p + Array("tail".utf8))
            for q in pieces.prefix(12) { out.append(p + q) }
        }
        return out
    }()

    @Test func stringsValidateAsTheStandardLibraryDoes() throws {
        var valid = 0
        for body in Self.cases {
            // Plain and with an escape (the scratch-buffer path).
            for esc in [false, true] {
                let line = Array("{\"k\":\"".utf8) + (esc ? Array("\\n".utf8) : []) + body + Array("\"}".utf8)
                let expected = String(validating: (esc ? [0x0A] : []) + body, as: UTF8.self)
                let got = try? JSONParser.parse(bytes: line)
                if let expected {
                    valid += 1
                    #expect(got == .object(["k": .string(expected)]), "\(body)")
                } else {
                    #expect(got == nil, "\(body) must be rejected")
                }
            }
        }
        #expect(valid > 100 && valid < Self.cases.count * 2)
    }

    @Test func keyLookupIsStringEquality() {
        let keys = ["id", "reward", "rewards", "response", "K", "\u{212A}", "caf\u{E9}", "cafe\u{301}", "Id", "", "a_1", "a_2", "ab"]
        let o = JSONObject(keys.enumerated().map { JSONMember($1, .number(Double($0))) })
        for k in keys + ["cafe", "r", "reward_", "k", "idx"] {
            let first = keys.firstIndex { $0 == k }
            #expect(o[k] == first.map { .number(Double($0)) }, "\(k)")
            #expect(o.contains(k) == (first != nil))
        }
        // Canonically equivalent keys still match each other (the non-plain path).
        #expect(o["cafe\u{301}"] == .number(6))
        #expect(o["K"] == .number(4))
    }

    @Test func additionKeysAreFoundWithoutHashing() {
        for k in ScoringPipeline.additionKeys { #expect(ScoringPipeline.isAdditionKey(k), "\(k)") }
        for k in ["", "id", "answer", "prompt", "response", "is_correct", "rewardx", "errors", "score", "reward_chosen_", "advantages"] {
            #expect(!ScoringPipeline.isAdditionKey(k), "\(k)")
        }
    }
}
