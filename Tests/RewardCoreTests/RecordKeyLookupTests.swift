import Foundation
import Testing
@testable import RewardCore

/// The decoder's record-key lookup (`JSONObject.value(recordKey:)`, length and first byte before a
/// String comparison) and the filtered parser's duplicate-key check by filter entry (issue 15,
/// io7) must decide exactly as String equality does.
@Suite struct RecordKeyLookupTests {
    /// Member keys next to the record keys: same length, same first byte, canonically equivalent
    /// non-ASCII spellings, a Kelvin sign, duplicates and the empty key.
    static let memberKeys = ["id", "Id", "i\u{0307}d", "ix", "answer", "prompt", "chosen", "reference", "prompt_id", "response",
                             "respons\u{E9}", "\u{212A}", "K", "group", "groupe", "", "steps", "step", "id"]
    static let recordKeys = ["id", "reference", "answer", "group", "prompt_id", "problem", "prompt", "response", "completion",
                             "messages", "chosen", "rejected", "steps", "completions", "labels", "role", "content", "gold", "pred"]

    @Test func recordKeyLookupIsStringEquality() {
        let o = JSONObject(Self.memberKeys.enumerated().map { JSONMember($1, .number(Double($0))) })
        for k in Self.recordKeys {
            #expect(o.value(recordKey: k) == o[k], "\(k)")
            #expect(o.contains(recordKey: k) == o.contains(k), "\(k)")
        }
        // The first of two equal keys, as the subscript.
        #expect(o.value(recordKey: "id") == .number(0))
        #expect(o.value(recordKey: "steps") == .number(16))
        #expect(o.value(recordKey: "ste") == nil)
    }

    /// `RecordMembers` (one pass, by shape) finds for each decoder key the member `value(recordKey:)`
    /// finds: the first with an equal key, past same-shape and canonically equivalent spellings.
    @Test func recordMembersFindWhatTheLookupFinds() {
        let slots: [(String, KeyPath<RecordMembers, Int>)] = [
            ("id", \.id), ("reference", \.reference), ("answer", \.answer), ("group", \.group), ("prompt_id", \.promptID),
            ("problem", \.problem), ("prompt", \.prompt), ("response", \.response), ("completion", \.completion),
            ("messages", \.messages), ("chosen", \.chosen), ("rejected", \.rejected), ("steps", \.steps),
            ("completions", \.completions), ("labels", \.labels),
        ]
        let extra = ["rejected", "response", "respons\u{E9}", "rejecte", "completion", "completions", "labels", "label", "chosen",
                     "problem", "prompt", "prompt_id", "prompt_i", "messages", "reference", "Reference", "response"]
        for keys in [Self.memberKeys, Self.memberKeys + extra, (Self.memberKeys + extra).reversed()] {
            let o = JSONObject(keys.enumerated().map { JSONMember($1, .number(Double($0))) })
            let m = RecordMembers(o)
            for (k, slot) in slots { #expect(m[m[keyPath: slot]] == o.value(recordKey: k), "\(k)") }
        }
        #expect(RecordMembers(JSONObject()).response == -1)
    }

    /// Lines whose keys repeat, in plain and escaped or non-ASCII spellings, parsed with a filter
    /// (entries matched on their bytes) and without one must give the same object.
    @Test func filteredDuplicatesMatchTheFullParse() throws {
        let lines = [
            #"{"id":"a","answer":"1","id":"b","is_correct":true,"answer":"2"}"#,
            #"{"K":1,"\u212A":2,"id":"x"}"#,
            #"{"\u212A":1,"K":2,"K":3}"#,
            #"{"i\u0064":"esc","id":"plain","prompt":"p","prompt":"q"}"#,
            #"{"id":"plain","i\u0064":"esc"}"#,
            #"{"r\u00e9sum\u00e9":1,"résumé":2,"id":3}"#,
            #"{"a":{"id":1,"id":2},"id":{"x":1,"x":2}}"#,
        ]
        let filter = JSONKeyFilter(build: ["id", "answer", "is_correct", "K", "résumé", "a"], stub: ["prompt"])
        for line in lines {
            let full = try #require(JSONParser.parse(line).objectValue)
            let filtered = try #require(try JSONParser.parseObject(bytes: Array(line.utf8), filter: filter)).object
            // Same members in the same order, for the keys the filter builds.
            let kept = full.members.filter { filter.use($0.key) != .skip }
            #expect(filtered.members.map(\.key) == kept.map(\.key), "\(line)")
            for (f, k) in zip(filtered.members, kept) where filter.use(k.key) == .build {
                #expect(f.value == k.value, "\(line): \(k.key)")
            }
        }
        // Last duplicate wins, one member per key (canonical equivalence included).
        let o = try #require(try JSONParser.parseObject(bytes: Array(lines[2].utf8), filter: filter)).object
        #expect(o.count == 1 && o["K"] == .number(3))
        let e = try #require(try JSONParser.parseObject(bytes: Array(lines[3].utf8), filter: filter)).object
        #expect(e.count == 2 && e["id"] == .string("plain") && e["prompt"] == .string(""))
    }
}
