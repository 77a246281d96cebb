import Foundation
import Testing
@testable import RewardEngine

/// tokenizer.json parity: ids equal to transformers' on ~1,000 strings per tokenizer style
/// (fixtures from scripts/hf/make_tokenizer_fixtures.py), decoding, and load errors.
@Suite("HF tokenizer.json")
struct HFTokenizerTests {
    static func dir(_ name: String) throws -> URL { try Fixture.url("hf/\(name)") }

    static func cases(_ file: String) throws -> (cases: [(String, [Int32])], decodes: [([Int32], String, String)]) {
        let j = try Fixture.json("hf/\(file)") as! [String: Any]
        let cases = (j["cases"] as! [[String: Any]]).map { c in
            (c["text"] as! String, (c["ids"] as! [NSNumber]).map(\.int32Value))
        }
        let decodes = (j["decodes"] as! [[String: Any]]).map { d in
            ((d["ids"] as! [NSNumber]).map(\.int32Value), d["text"] as! String, d["skip"] as! String)
        }
        return (cases, decodes)
    }

    func checkParity(_ tokDir: String, _ file: String) throws {
        let bundle = try HFTokenizerBundle.load(directory: try Self.dir(tokDir))
        let (cases, decodes) = try Self.cases(file)
        #expect(cases.count >= 1000)
        var failures: [String] = []
        for (text, ids) in cases {
            let got = bundle.tokenizer.encode(text, addSpecialTokens: true)
            if got != ids { failures.append("\(text.debugDescription): got \(got) want \(ids)") }
        }
        #expect(failures.isEmpty, "\(failures.count)/\(cases.count) differ; first: \(failures.prefix(5).joined(separator: "\n"))")
        for (ids, text, skip) in decodes {
            #expect(bundle.tokenizer.decode(ids, special: true) == text)
            #expect(bundle.tokenizer.decode(ids, special: false) == skip)
        }
    }

    @Test func qwenStyleIdsMatchTransformers() throws { try checkParity("qwen-tok", "qwen-ids.json") }

    @Test func llama3StyleIdsMatchTransformers() throws { try checkParity("llama-tok", "llama-ids.json") }

    @Test func bundleReadsSpecialTokensAndTemplate() throws {
        let q = try HFTokenizerBundle.load(directory: try Self.dir("qwen-tok"))
        #expect(q.eosToken == "<|im_end|>")
        #expect(q.padToken == "<|endoftext|>")
        #expect(q.tokenizer.preTokenizer == .qwen2)
        #expect(q.tokenizer.nfc)
        #expect(!q.tokenizer.addBOS)
        #expect(q.tokenizer.eosId == q.tokenizer.tokenId("<|im_end|>"))
        #expect(q.tokenizer.eogIds.contains(q.tokenizer.tokenId("<|im_end|>")!))
        // Non-special added tokens stay whole and decode even when specials are skipped.
        let think = q.tokenizer.tokenId("<think>")!
        #expect(q.tokenizer.encode("a<think>b", addSpecialTokens: false).contains(think))
        #expect(q.tokenizer.decode(q.tokenizer.encode("<|im_start|>x<think>", addSpecialTokens: false), special: false) == "x<think>")
        #expect(q.chatTemplate != nil)
        let s = try q.render(messages: [.user("Hi")], addGenerationPrompt: true, extra: ["enable_thinking": .bool(false)])
        #expect(s == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")

        let l = try HFTokenizerBundle.load(directory: try Self.dir("llama-tok"))
        #expect(l.bosToken == "<|begin_of_text|>")
        #expect(l.tokenizer.preTokenizer == .llama3)
        #expect(l.tokenizer.ignoreMerges)
        #expect(l.tokenizer.addBOS)
        #expect(l.tokenizer.encode("hi", addSpecialTokens: true).first == l.tokenizer.tokenId("<|begin_of_text|>"))
        #expect(l.tokenizer.encode("hi", addSpecialTokens: false).first != l.tokenizer.tokenId("<|begin_of_text|>"))
        let r = try l.render(messages: [.user("Hi")], addGenerationPrompt: true, extra: ["date_string": .string("26 Jul 2024")])
        #expect(r.hasPrefix("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"))
        let ids = try l.encodeChat(messages: [.user("Hi")], addGenerationPrompt: true, extra: ["date_string": .string("26 Jul 2024")])
        #expect(ids.filter { $0 == l.tokenizer.bosId }.count == 1)  // the template writes BOS; encoding adds none
    }

    /// A tokenizer.json variant with one section replaced, in a temporary directory.
    func variant(_ edit: (inout [String: Any]) -> Void, config: [String: Any]? = nil) throws -> URL {
        let src = try Self.dir("qwen-tok").appendingPathComponent("tokenizer.json")
        var j = try JSONSerialization.jsonObject(with: Data(contentsOf: src)) as! [String: Any]
        edit(&j)
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("hftok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: j).write(to: d.appendingPathComponent("tokenizer.json"))
        if let config {
            try JSONSerialization.data(withJSONObject: config).write(to: d.appendingPathComponent("tokenizer_config.json"))
        }
        return d
    }

    func loadError(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let d = try variant(edit)
        defer { try? FileManager.default.removeItem(at: d) }
        do { _ = try HFTokenizerBundle.load(directory: d); return "loaded" } catch { return "\(error)" }
    }

    @Test func unsupportedFeaturesAreNamed() throws {
        #expect(try loadError { $0["normalizer"] = ["type": "NFKC"] }.contains("normalizer 'NFKC'"))
        #expect(try loadError { j in
            var m = j["model"] as! [String: Any]; m["type"] = "Unigram"; j["model"] = m
        }.contains("model type 'Unigram'"))
        #expect(try loadError { j in
            var m = j["model"] as! [String: Any]; m["byte_fallback"] = true; j["model"] = m
        }.contains("byte_fallback"))
        #expect(try loadError { j in
            var p = j["pre_tokenizer"] as! [String: Any]
            var steps = p["pretokenizers"] as! [[String: Any]]
            steps[0]["pattern"] = ["Regex": "\\w+"]
            p["pretokenizers"] = steps; j["pre_tokenizer"] = p
        }.contains("not one of the recognised patterns"))
        #expect(try loadError { $0["pre_tokenizer"] = ["type": "Whitespace"] }.contains("pre_tokenizer 'Whitespace'"))
        #expect(try loadError { $0["decoder"] = ["type": "WordPiece"] }.contains("decoder 'WordPiece'"))
        #expect(try loadError { $0["post_processor"] = ["type": "BertProcessing"] }.contains("post_processor 'BertProcessing'"))
        #expect(try loadError { j in
            var m = j["model"] as! [String: Any]; m["merges"] = [["a", "b", "c"]]; j["model"] = m
        }.contains("merges[0]"))
    }

    @Test func templateListInTokenizerConfig() throws {
        let d = try variant({ _ in }, config: [
            "bos_token": ["content": "<|im_start|>", "special": true],
            "chat_template": [["name": "default", "template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"],
                              ["name": "tool_use", "template": "T"]],
        ])
        defer { try? FileManager.default.removeItem(at: d) }
        let b = try HFTokenizerBundle.load(directory: d)
        #expect(b.templateSources.keys.sorted() == ["default", "tool_use"])
        #expect(try b.render(messages: [.user("a"), .assistant("b")], addGenerationPrompt: false) == "<|im_start|>ab")
        #expect(try b.template(named: "tool_use").render(variables: [:]) == "T")
        #expect(b.tokenizer.bosId == b.tokenizer.tokenId("<|im_start|>"))
    }

    @Test func addedTokenStripFlags() throws {
        let l = try HFTokenizerBundle.load(directory: try Self.dir("llama-tok")).tokenizer
        let ls = l.tokenId("<LSTRIP>")!, rs = l.tokenId("<RSTRIP>")!
        // lstrip eats the spaces before the token, rstrip the ones after it.
        #expect(l.encode("a   <LSTRIP>", addSpecialTokens: false) == l.encode("a", addSpecialTokens: false) + [ls])
        #expect(l.encode("<RSTRIP>   b", addSpecialTokens: false) == [rs] + l.encode("b", addSpecialTokens: false))
    }

    @Test func missingTokenizerJSONIsAClearError() {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("hftok-none-\(UUID().uuidString)")
        #expect(throws: EngineError.self) { try HFTokenizerBundle.load(directory: d) }
    }
}
