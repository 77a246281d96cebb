import CZlib
import Foundation
import Testing
import RewardEngine

/// Real vocabularies other than SmolLM2's (Fixtures/vocab, see its README), inflated once per run.
enum VocabFixture {
    static let names = ["llama-bpe", "qwen2", "llama-spm"]

    private static let loaded: [String: Result<any Tokenizer, Error>] = {
        var m: [String: Result<any Tokenizer, Error>] = [:]
        for n in names { m[n] = Result { try load(n) } }
        return m
    }()

    static func tokenizer(_ name: String) throws -> any Tokenizer { try loaded[name]!.get() }

    static func url(_ file: String) throws -> URL {
        guard let u = Bundle.module.url(forResource: file, withExtension: nil, subdirectory: "Fixtures/vocab") else {
            throw EngineError.io("fixture vocab/\(file) missing (regenerate with scripts/engine/make_tokenizer_fixtures.py)")
        }
        return u
    }

    static func cases(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url("\(name).tokenize.json"))) as! [String: Any]
    }

    /// Inflates `<name>.gguf.gz` to a temporary file, reads the tokenizer and removes the file.
    private static func load(_ name: String) throws -> any Tokenizer {
        let gz = try url("\(name).gguf.gz").path
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("rewardkit-vocab-\(ProcessInfo.processInfo.processIdentifier)-\(name).gguf")
        defer { try? FileManager.default.removeItem(at: tmp) }
        guard let f = gzopen(gz, "rb") else { throw EngineError.io("cannot open \(gz)") }
        defer { gzclose(f) }
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { gzread(f, $0.baseAddress!, UInt32($0.count)) }
            if n < 0 { throw EngineError.io("\(gz): corrupt gzip data") }
            if n == 0 { break }
            data.append(contentsOf: buf[..<Int(n)])
        }
        try data.write(to: tmp)
        return try TokenizerLoader.load(gguf: GGUFFile(path: tmp.path))
    }
}

@Suite("Tokenizer parity on real vocabularies")
struct VocabParityTests {
    /// Every fixture string (≥1,000 plain, the special-token strings, llama.cpp's own test cases)
    /// must give exactly llama.cpp's ids.
    @Test(arguments: VocabFixture.names)
    func encodeMatchesLlamaCpp(_ name: String) throws {
        let tok = try VocabFixture.tokenizer(name)
        let fx = try VocabFixture.cases(name)
        let plain = (fx["plain"] as! [[String: Any]]) + (fx["cases"] as! [[String: Any]])
        let special = fx["special"] as! [[String: Any]]
        #expect(plain.count >= 1000)
        var bad: [String] = []
        var total = 0
        for (entries, parse) in [(plain, false), (special, true)] {
            for e in entries {
                let text = e["text"] as! String
                total += 1
                let got = tok.encode(text, parseSpecial: parse)
                let want = (e["ids"] as! [Any]).int32s
                if got != want { bad.append("\(text.debugDescription) special=\(parse): got \(got.prefix(12)) want \(want.prefix(12))") }
            }
        }
        #expect(bad.isEmpty, "\(name) encode: \(total - bad.count)/\(total) identical; \(bad.count) differ, e.g. \(bad.prefix(5))")
    }

    /// llama.cpp's ids decode to llama-cpp-python's `detokenize` text (special false and true).
    @Test(arguments: VocabFixture.names)
    func decodeMatchesLlamaCpp(_ name: String) throws {
        let tok = try VocabFixture.tokenizer(name)
        let fx = try VocabFixture.cases(name)
        var bad: [String] = []
        var total = 0
        func check(_ e: [String: Any], _ key: String, special: Bool) {
            guard let want = e[key] as? String else { return }
            total += 1
            let got = tok.decode((e["ids"] as! [Any]).int32s, special: special)
            if got != want { bad.append("\((e["text"] as! String).debugDescription) special=\(special): got \(got.debugDescription) want \(want.debugDescription)") }
        }
        for group in ["plain", "cases", "special"] {
            for e in fx[group] as! [[String: Any]] {
                check(e, "decoded", special: false)
                check(e, "decodedSpecial", special: true)
            }
        }
        #expect(total >= 1000)
        #expect(bad.isEmpty, "\(name) decode: \(total - bad.count)/\(total) identical; \(bad.count) differ, e.g. \(bad.prefix(5))")
    }

    /// Streaming: token bytes concatenated through the UTF-8 decoder give the decoded text.
    @Test(arguments: VocabFixture.names)
    func tokenBytesStreamLikeDecode(_ name: String) throws {
        let tok = try VocabFixture.tokenizer(name)
        for text in ["emoji 👨‍👩‍👧‍👦 and 中文 and é — 🎉", "  two\n\nlines\t𝕳", "x"] {
            let ids = tok.encode(text, parseSpecial: false)
            var dec = UTF8StreamDecoder()
            var s = ""
            for id in ids { s += dec.append(tok.tokenBytes(id, special: false)) }
            s += dec.finish()
            #expect(s == tok.decode(ids, special: false))
        }
    }

    @Test func loaderPicksAlgorithmAndSpecialIds() throws {
        let spm = try VocabFixture.tokenizer("llama-spm")
        #expect(spm is SentencePieceTokenizer)
        #expect(spm.bosId == 1 && spm.eosId == 2 && spm.addBOS)
        #expect(spm.isEndOfGeneration(2) && !spm.isEndOfGeneration(1))
        #expect(spm.tokenId("<unk>") == 0 && spm.tokenId("▁Hello") == 15043)
        // Control and unknown tokens render only with special: true.
        #expect(spm.decode([1, 15043, 2, 0], special: false) == "Hello")
        #expect(spm.decode([1, 15043, 2, 0], special: true) == "<s> Hello</s><unk>")

        let l3 = try VocabFixture.tokenizer("llama-bpe")
        #expect(l3 is BPETokenizer)
        #expect(l3.bosId == 128000 && l3.addBOS)
        #expect(l3.isEndOfGeneration(try #require(l3.tokenId("<|eot_id|>"))))
        #expect(l3.isEndOfGeneration(128001))

        let qw = try VocabFixture.tokenizer("qwen2")
        #expect(qw is BPETokenizer)
        #expect(!qw.addBOS)
        #expect(qw.isEndOfGeneration(try #require(qw.tokenId("<|im_end|>"))))
        // User-defined tokens are matched even without parseSpecial.
        #expect(qw.encode("[PAD151646]", parseSpecial: false) == [151646])
    }

    /// Code points are classed by llama.cpp's Unicode tables: unassigned ones (even where the
    /// toolchain's newer Unicode calls them letters or digits) join punctuation runs.
    @Test func preTokenizerUsesLlamaCppUnicodeClasses() {
        let l3 = PreTokenizer(kind: .llama3)
        #expect(l3.words("a\u{FFEF}'s") == ["a", "\u{FFEF}'", "s"])        // U+FFEF unassigned
        #expect(l3.words("x \u{1C89}\u{1C8A}y") == ["x", " \u{1C89}\u{1C8A}", "y"])  // letters only since Unicode 16
        #expect(PreTokenizer(kind: .qwen2).words("\u{16130}9") == ["\u{16130}", "9"])  // a digit since Unicode 16
        #expect(l3.words("\u{3000}\u{00A0}x") == ["\u{3000}", "\u{00A0}x"])
    }

    /// SentencePiece bigram merging is heap-driven: long inputs stay fast and byte fallback covers
    /// characters the vocabulary lacks.
    @Test func sentencePieceLongAndUnknownInput() throws {
        let spm = try VocabFixture.tokenizer("llama-spm")
        let long = String(repeating: "the quick brown fox 中文 🎉 ", count: 4000)
        let ids = spm.encode(long, parseSpecial: false)
        #expect(ids.count > 40_000)
        #expect(spm.decode([1] + ids, special: false) == long)
        let rare = "\u{10FFFD}"
        let r = spm.encode(rare, parseSpecial: false)
        #expect(r.count == 5)  // "▁" + 4 byte tokens
        #expect(spm.decode([1] + r, special: false) == rare)
        let same = String(repeating: "a", count: 100_000)
        #expect(spm.decode([1] + spm.encode(same, parseSpecial: false), special: false) == same)
    }
}
