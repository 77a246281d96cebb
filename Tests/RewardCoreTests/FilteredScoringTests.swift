import Foundation
import Testing
@testable import RewardCore

/// Issue 15 (JSONL at ≥ 400 MB/s): a reward that declares what it reads (`readsFields`) gets
/// lines parsed with only those members built. Output must be byte-identical to the full parse
/// on every kind of line — malformed ones included, with the same error naming line and field.
@Suite struct FilteredScoringTests {
    /// The same reward without a declaration, so the pipeline parses every line whole.
    struct Undeclared: RewardFunction {
        let inner: any RewardFunction
        var kind: String { inner.kind }
        func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
            try await inner.score(samples, context: context)
        }
    }

    /// Reads the text: reward = response length + number of steps.
    struct TextReward: SampleReward {
        var kind: String { "text" }
        var readsFields: RecordFields? { RecordFields(text: true) }
        func score(_ s: Sample, index: Int, context: ScoringContext) -> RewardResult {
            RewardResult(reward: Double(s.response.utf8.count + (s.steps?.count ?? 0) + s.prompt.text.utf8.count))
        }
    }

    func dir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("rk-filter-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }

    /// Lines of every format the decoder reads, with the faults a user's file has.
    static let lines: [String] = [
        #"{"id":"a","prompt":"long prompt","reference_solution":"skip \"me\" \n","score":0.5,"response":"r"}"#,
        #"{"score":1,"response":"caf\u00e9 😀 \ud83d\ude00","meta":{"x":[1,2,{"y":null}]}}"#,
        #"{"score":true,"completion":"c"}"#,
        #"{"score":2,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}"#,
        #"{"score":2,"messages":[{"role":"user","content":"q"}]}"#,
        #"{"score":3,"problem":"p","steps":["s1","s2"]}"#,
        #"{"score":3,"prompt":"p","completions":["c1"],"labels":[true]}"#,
        #"{"score":4,"prompt":"p","chosen":"good","rejected":"bad"}"#,
        #"{"score":4,"chosen":"\n\nHuman: hi\n\nAssistant: yes","rejected":"\n\nHuman: hi\n\nAssistant: no"}"#,
        #"{"score":4,"chosen":[{"role":"assistant","content":"x"}],"rejected":"y"}"#,
        #"{"score":5}"#,
        #"{"score":5,"response":null}"#,
        #"{"score":5,"response":42}"#,
        #"{"score":5,"response":["not","text"]}"#,
        #"{"score":5,"prompt":7,"response":"r"}"#,
        #"{"score":5,"steps":"not a list","response":"r"}"#,
        #"{"score":"high","response":"r"}"#,
        #"{"response":"r"}"#,
        #"{"score":6,"response":"r","reward":"old","rewards":{"x":1}}"#,
        #"{"score":6,"response":"r","error":"old"}"#,
        #"{}"#,
        #"{ }"#,
        #"{"only":"members no reward reads"}"#,
        #"{"sc\u006fre":7,"response":"escaped key"}"#,
        #"{"score":1,"score":8,"response":"duplicate key"}"#,
        #"{"scoré":1,"score":9,"response":"non-ASCII key"}"#,
        #"{"score":9,"reference_solution":"bad \x escape","response":"r"}"#,
        #"{"score":9,"reference_solution":"unterminated"#,
        #"{"score":9,"response":"bad \q escape in text"}"#,
        #"{"score":9,"response":"r","x":[1,]}"#,
        #"["not","an","object"]"#,
        #"17"#,
        #"{"score":10,"id":3,"answer":4.5,"group":"g","response":"r"}   "#,
        #"{"score":11,"response":"\#(String(repeating: "long \\\"x\\\" é ", count: 400))"}"#,
        // Key fields (`id`, `reference`, …), which a field reward does not read: stubbed as strings,
        // still checked for their type, `group` still built for normalization.
        #"{"score":12,"id":[1],"response":"r"}"#,
        #"{"score":12,"reference":{"a":1},"response":"r"}"#,
        #"{"score":12,"answer":true,"response":"r"}"#,
        #"{"score":12,"group":false,"response":"r"}"#,
        #"{"score":12,"prompt_id":["p"],"response":"r"}"#,
        #"{"score":12,"problem":{},"steps":["a"]}"#,
        #"{"score":13,"problem":"a problem longer than fifteen bytes","steps":["a",2]}"#,
        #"{"score":14,"id":"an identifier longer than fifteen bytes","reference":"x\u00e9","group":"g2","response":"r"}"#,
        #"{"score":15,"id":"a","id":{"dup":1},"response":"r"}"#,
        #"{"score":16,"prompt_id":"g2","response":"r"}"#,
        #"{"score":17,"group":null,"prompt_id":"g2","reference":null,"answer":3,"response":"r"}"#,
        #"{"score":18,"id":"g\ud83d","group":"g\u0032","chosen":"c","rejected":"d"}"#,
    ]

    /// The lines above plus ones with invalid UTF-8 (in a skipped field, in a text field, in a key).
    static func inputBytes() -> [UInt8] {
        var b = Array(lines.joined(separator: "\n").utf8)
        for bad: [UInt8] in [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8]] {
            b += Array("\n{\"score\":1,\"pad\":\"x".utf8) + bad + Array("\",\"response\":\"r\"}".utf8)
            b += Array("\n{\"score\":1,\"response\":\"x".utf8) + bad + Array("\"}".utf8)
            b += Array("\n{\"score\":1,\"ke".utf8) + bad + Array("y\":1,\"response\":\"r\"}".utf8)
        }
        return b + Array("\n".utf8)
    }

    func run(_ reward: any RewardFunction, input: String, groups: Bool = false, threads: Int = 2) async throws -> [UInt8] {
        let out = dir() + "/out.jsonl"
        var p = ScoringPipeline(reward: reward)
        p.concurrency = threads
        p.batchLines = 7
        if groups { p.groupNormalization = GroupNormalization() }
        let sink = try OutputSink(path: out)
        _ = try await sink.publishing { try await p.run(input: try RecordInput(path: input), output: sink) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    @Test(arguments: [false, true])
    func declaredRewardsGiveTheFullParseOutput(groups: Bool) async throws {
        let input = dir() + "/in.jsonl"
        try Data(Self.inputBytes()).write(to: URL(fileURLWithPath: input))
        let field = CompositeReward(parts: [.init(name: "s", function: FieldReward(field: "score"))])
        let text = CompositeReward(parts: [.init(name: "t", function: TextReward()), .init(name: "s", function: FieldReward(field: "score"), weight: 2)])
        #expect(field.readsFields == RecordFields(text: false, keys: ["score"], recordKeys: false))
        #expect(text.readsFields == RecordFields(text: true, keys: ["score"]))
        #expect(RecordFields.union([field.readsFields, nil]) == nil)
        for reward in [field, text] {
            let filtered = try await run(reward, input: input, groups: groups)
            let full = try await run(Undeclared(inner: reward), input: input, groups: groups)
            #expect(filtered == full, "\(reward.parts.map(\.name)) groups \(groups)")
            // Not vacuous: the file has scored lines and error lines naming line and field.
            let text = String(decoding: filtered, as: UTF8.self)
            #expect(text.contains(#""reward":9,"rewards":{"s":9}"#) || text.contains(#""rewards":{"t":"#))
            #expect(text.contains(#"line 13: field 'response': must be a string, got number 42"#))
            #expect(text.contains(#""error":"line 28: invalid JSON at byte "#))
            // A line none of whose members is built still gets its comma before the added fields.
            #expect(text.contains(#"{"only":"members no reward reads","reward":null,"error":"line 23: field 'response': missing ("#))
            // Key fields keep their errors when nothing reads them (lines 35, 40, 41).
            #expect(text.contains(#"{"score":12,"id":[1],"response":"r","reward":null,"error":"line 35: field 'id': must be a string or a number, got array"#))
            #expect(text.contains(#""error":"line 40: field 'problem': must be a string or a number, got object"#))
            #expect(text.contains(#""error":"line 41: field 'steps[1]': must be a string, got number 2"#))
            if groups, reward.parts.count == 1 { #expect(text.contains(#""response":"r","reward":16,"rewards":{"s":16},"advantage":"#)) }
        }
    }

    @Test func textFieldsAreStubbedOnlyWhenTheRewardDoesNotReadThem() throws {
        let line = InputLine(number: 1, bytes: Array(#"{"prompt":"p","response":"long","steps":["a"],"score":1,"other":"x"}"#.utf8))
        let noText = try line.object(filter: RecordDecoder.keyFilter(reading: RecordFields(text: false, keys: ["score"])))
        #expect(noText.keys == ["prompt", "response", "steps", "score"])
        #expect(noText["response"] == .string("") && noText["prompt"] == .string(""))
        #expect(noText["steps"] == .array(["a"]) && noText["score"] == .number(1))
        let withText = try line.object(filter: RecordDecoder.keyFilter(reading: RecordFields(text: true)))
        #expect(withText["response"] == .string("long") && withText["score"] == nil)
        #expect(RecordDecoder.keyFilter(reading: nil) == nil)
    }

    @Test func keyFieldsAreStubbedOnlyWhenNothingReadsThem() throws {
        let line = InputLine(number: 1, bytes: Array(#"{"id":"an id longer than fifteen","answer":"42","group":"g","prompt_id":7,"response":"r","score":1}"#.utf8))
        let reads = RecordFields(text: false, keys: ["score"], recordKeys: false)
        let stubbed = try line.object(filter: RecordDecoder.keyFilter(reading: reads, groups: false))
        #expect(stubbed["id"] == .string("") && stubbed["answer"] == .string("") && stubbed["group"] == .string(""))
        #expect(stubbed["prompt_id"] == .number(7) && stubbed["score"] == .number(1))
        let grouped = try line.object(filter: RecordDecoder.keyFilter(reading: reads, groups: true))
        #expect(grouped["group"] == .string("g") && grouped["id"] == .string(""))
        guard case .single(let s) = try RecordDecoder.decode(grouped, line: 1) else { Issue.record("not single"); return }
        #expect(s.group == "g" && s.id == "")
        // A reward that reads the key fields (the default) gets them built.
        let built = try line.object(filter: RecordDecoder.keyFilter(reading: RecordFields(text: false, keys: ["score"]), groups: false))
        #expect(built["id"] == .string("an id longer than fifteen") && built["answer"] == .string("42"))
        #expect(RecordFields.union([reads, RecordFields(text: false)])?.recordKeys == true)
        #expect(RecordFields.union([reads, RecordFields(text: false, keys: ["x"], recordKeys: false)]) == RecordFields(text: false, keys: ["score", "x"], recordKeys: false))
    }
}
