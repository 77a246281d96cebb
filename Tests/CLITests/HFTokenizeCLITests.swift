import Foundation
import Testing

/// `rewardkit tokenize --tokenizer DIR`: a Hugging Face tokenizer directory through the CLI
/// (the committed tiny fixtures of RewardEngineTests, ids from transformers).
@Suite("tokenize --tokenizer (HF)")
struct HFTokenizeCLITests {
    static let qwen = "Tests/RewardEngineTests/Fixtures/hf/qwen-tok"
    static let llama = "Tests/RewardEngineTests/Fixtures/hf/llama-tok"

    static func fixtureIds(_ file: String, _ text: String) throws -> [Int] {
        let url = CLI.repoRoot.appendingPathComponent("Tests/RewardEngineTests/Fixtures/hf/\(file)")
        let j = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let c = (j["cases"] as! [[String: Any]]).first { $0["text"] as? String == text }!
        return c["ids"] as! [Int]
    }

    @Test func idsMatchTransformers() throws {
        let text = "The quick brown fox jumps over the lazy dog."
        let r = try CLI.run(["tokenize", "--tokenizer", Self.llama, "--text", text, "--add-special-tokens"])
        #expect(r.status == 0, "\(r.err)")
        let ids = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [Int]
        #expect(ids == (try Self.fixtureIds("llama-ids.json", text)))
        let plain = try CLI.run(["tokenize", "--tokenizer", Self.llama, "--text", text])
        let noBOS = try JSONSerialization.jsonObject(with: Data(plain.out.utf8)) as! [Int]
        #expect(noBOS == Array(ids.dropFirst()))
    }

    @Test func rendersChatWithTheDirectoryTemplate() throws {
        let f = FileManager.default.temporaryDirectory.appendingPathComponent("chat-\(UUID().uuidString).json")
        try Data(#"[{"role": "user", "content": "Hi"}]"#.utf8).write(to: f)
        defer { try? FileManager.default.removeItem(at: f) }
        let r = try CLI.run(["tokenize", "--tokenizer", Self.qwen, "--chat", f.path, "--add-generation-prompt",
                             "--variable", "enable_thinking=false"])
        #expect(r.status == 0, "\(r.err)")
        let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        #expect(o["text"] as? String == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")
        #expect((o["ids"] as? [Int])?.first == 1)  // <|im_start|> is the second special token trained
    }

    @Test func badDirectoryIsARuntimeError() throws {
        let r = try CLI.run(["tokenize", "--tokenizer", "/nonexistent-dir", "--text", "x"])
        #expect(r.status == 1)
        #expect(r.err.contains("no tokenizer.json"))
    }
}
