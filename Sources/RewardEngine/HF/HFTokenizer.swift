import Foundation

/// Byte-level BPE tokenizer read from a Hugging Face `tokenizer.json` (Qwen2/Qwen3, Llama 3 style),
/// encoding as the `tokenizers` library does. The BPE merge loop and the regex pre-tokenizers are
/// `BPETokenizer`'s; this type adds what `tokenizer.json` specifies around them: added tokens cut
/// out first (leftmost-longest, lstrip/rstrip/single_word), the NFC normalizer, the post-processor's
/// special tokens, and HF decoding. Any feature outside that set is rejected by name when loading,
/// so a file is never tokenized with silently different ids.
///
/// Pre-tokenizer regexes are not interpreted: the known patterns (Qwen2/Qwen3, Llama 3, GPT-2,
/// SmolLM's digits + GPT-2) are recognised by their exact text and run by hand-written scanners.
public final class HFTokenizer: Tokenizer {
    /// One `added_tokens` entry.
    public struct AddedToken: Sendable, Equatable {
        public let id: Int32
        public let content: String
        public let special: Bool
        public let lstrip: Bool
        public let rstrip: Bool
        public let singleWord: Bool
    }

    public let vocabSize: Int
    public let addedTokens: [AddedToken]
    /// Token strings by id (byte-level alphabet for model tokens, literal text for added ones).
    public let idToToken: [String]
    public let bosId: Int32?
    public let eosId: Int32?
    public let eogIds: Set<Int32>
    /// Ids the post-processor puts before / after the text when special tokens are added.
    public let prefixIds: [Int32]
    public let suffixIds: [Int32]
    /// Whether NFC is applied to text outside added tokens.
    public let nfc: Bool
    public let preTokenizer: PreTokenizerKind
    public let ignoreMerges: Bool
    /// transformers' `clean_up_tokenization_spaces` applied by `decode`.
    public let cleanUpTokenizationSpaces: Bool

    /// Whether encoding with special tokens puts a BOS first (TemplateProcessing `<bos> $A`).
    public var addBOS: Bool { bosId != nil && prefixIds.first == bosId }

    let core: BPETokenizer
    let textToId: [String: Int32]
    let addedById: [Int32: AddedToken]
    /// Added tokens as UTF-8, for the leftmost-longest scan.
    let addedBytes: [(bytes: [UInt8], token: AddedToken)]

    /// The GPT-2 / SmolLM / Qwen2 / Llama 3 split patterns as they appear in tokenizer.json files.
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Loads `tokenizer.json`. `config` is the parsed `tokenizer_config.json` (bos/eos names,
    /// `clean_up_tokenization_spaces`), when there is one.
    public convenience init(file: URL, config: [String: Any]? = nil) throws {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw EngineError.io("\(file.path): \(error.localizedDescription)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EngineError.invalidFile("\(file.path): not a JSON object")
        }
        try self.init(json: json, config: config, name: file.lastPathComponent)
    }

    public init(json: [String: Any], config: [String: Any]? = nil, name: String = "tokenizer.json") throws {
        func fail(_ m: String) -> EngineError { .unsupported("\(name): \(m)") }
        func bad(_ m: String) -> EngineError { .invalidFile("\(name): \(m)") }

        // model
        guard let model = json["model"] as? [String: Any] else { throw bad("no 'model'") }
        let mtype = model["type"] as? String ?? "BPE"
        guard mtype == "BPE" else { throw fail("model type '\(mtype)' (supported: BPE)") }
        if let d = model["dropout"], !(d is NSNull) { throw fail("model.dropout (BPE dropout)") }
        if model["byte_fallback"] as? Bool == true { throw fail("model.byte_fallback") }
        for k in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let s = model[k] as? String, !s.isEmpty { throw fail("model.\(k) '\(s)'") }
        }
        guard let vocabJSON = model["vocab"] as? [String: Any] else { throw bad("model.vocab is not a map") }
        let ignoreMerges = model["ignore_merges"] as? Bool ?? false
        var merges: [String] = []
        if let raw = model["merges"] as? [Any] {
            merges.reserveCapacity(raw.count)
            for (i, m) in raw.enumerated() {
                if let s = m as? String { merges.append(s) }
                else if let p = m as? [String], p.count == 2 { merges.append(p[0] + " " + p[1]) }
                else { throw bad("model.merges[\(i)] is neither \"a b\" nor [a, b]") }
            }
        }

        // added tokens
        var added: [AddedToken] = []
        for (i, a) in (json["added_tokens"] as? [[String: Any]] ?? []).enumerated() {
            guard let id = (a["id"] as? NSNumber)?.int32Value, let content = a["content"] as? String, !content.isEmpty else {
                throw bad("added_tokens[\(i)] needs an id and a non-empty content")
            }
            added.append(AddedToken(id: id, content: content, special: a["special"] as? Bool ?? false,
                                    lstrip: a["lstrip"] as? Bool ?? false, rstrip: a["rstrip"] as? Bool ?? false,
                                    singleWord: a["single_word"] as? Bool ?? false))
        }

        // normalizer
        var nfc = false
        if let n = json["normalizer"] as? [String: Any] {
            let steps = (n["type"] as? String == "Sequence") ? (n["normalizers"] as? [[String: Any]] ?? []) : [n]
            for s in steps {
                switch s["type"] as? String ?? "?" {
                case "NFC": nfc = true
                default: throw fail("normalizer '\(s["type"] as? String ?? "?")' (supported: NFC or none)")
                }
            }
        }

        // pre_tokenizer
        let pre = try Self.preTokenizer(json["pre_tokenizer"], fail)

        // post_processor
        var prefix: [Int32] = [], suffix: [Int32] = []
        if let p = json["post_processor"] as? [String: Any] {
            let steps = (p["type"] as? String == "Sequence") ? (p["processors"] as? [[String: Any]] ?? []) : [p]
            for s in steps {
                switch s["type"] as? String ?? "?" {
                case "ByteLevel": break  // only adjusts offsets
                case "TemplateProcessing":
                    (prefix, suffix) = try Self.template(s, fail)
                default: throw fail("post_processor '\(s["type"] as? String ?? "?")' (supported: ByteLevel, TemplateProcessing)")
                }
            }
        }

        // decoder
        if let d = json["decoder"] as? [String: Any] {
            guard d["type"] as? String == "ByteLevel" else {
                throw fail("decoder '\(d["type"] as? String ?? "?")' (supported: ByteLevel)")
            }
        }

        // Dense id → token table over the model vocabulary and the added tokens.
        var maxId: Int32 = -1
        var t2i: [String: Int32] = [:]
        t2i.reserveCapacity(vocabJSON.count + added.count)
        var pairs: [(String, Int32)] = []
        pairs.reserveCapacity(vocabJSON.count)
        for (t, v) in vocabJSON {
            guard let id = (v as? NSNumber)?.int32Value, id >= 0 else { throw bad("model.vocab['\(t)'] is not an id") }
            pairs.append((t, id)); maxId = max(maxId, id)
        }
        for a in added { maxId = max(maxId, a.id) }
        guard maxId >= 0, maxId < 4_000_000 else { throw bad("vocabulary is empty or ids are out of range") }
        let n = Int(maxId) + 1
        var texts = [String](repeating: "", count: n)
        var types = [TokenType](repeating: .unused, count: n)
        for (t, id) in pairs { texts[Int(id)] = t; types[Int(id)] = .normal; t2i[t] = id }
        for a in added {
            texts[Int(a.id)] = a.content
            // Added tokens are cut out before BPE here, so the core must not match them again.
            types[Int(a.id)] = .unused
            t2i[a.content] = a.id
        }

        let cfg = config ?? [:]
        func configToken(_ key: String) -> Int32? {
            if let s = cfg[key] as? String { return t2i[s] }
            if let d = cfg[key] as? [String: Any], let s = d["content"] as? String { return t2i[s] }
            return nil
        }
        let bos = configToken("bos_token") ?? (prefix.count == 1 ? prefix[0] : nil)
        let eos = configToken("eos_token")

        let vocabulary = TokenVocabulary(texts: texts, types: types, bos: bos, eos: eos, extraEOG: [])
        core = BPETokenizer(vocabulary: vocabulary, merges: merges, pre: pre, addBOS: false, ignoreMerges: ignoreMerges)
        var eog = Set<Int32>()
        for a in added where TokenVocabulary.endOfGenerationTexts.contains(a.content) { eog.insert(a.id) }
        if let eos { eog.insert(eos) }

        vocabSize = n
        idToToken = texts
        textToId = t2i
        addedTokens = added
        addedById = Dictionary(added.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        addedBytes = added.map { (Array($0.content.utf8), $0) }
        bosId = bos
        eosId = eos
        eogIds = eog
        prefixIds = prefix
        suffixIds = suffix
        self.nfc = nfc
        preTokenizer = pre
        self.ignoreMerges = ignoreMerges
        cleanUpTokenizationSpaces = cfg["clean_up_tokenization_spaces"] as? Bool ?? false
    }

    /// Maps the `pre_tokenizer` section to one of the known scanners.
    static func preTokenizer(_ v: Any?, _ fail: (String) -> EngineError) throws -> PreTokenizerKind {
        guard let p = v as? [String: Any] else { throw fail("missing pre_tokenizer (byte-level BPE needs ByteLevel)") }
        func byteLevel(_ d: [String: Any], useRegex: Bool) throws {
            guard d["type"] as? String == "ByteLevel" else { throw fail("pre_tokenizer step '\(d["type"] as? String ?? "?")'") }
            if d["add_prefix_space"] as? Bool == true { throw fail("pre_tokenizer ByteLevel add_prefix_space=true") }
            if (d["use_regex"] as? Bool ?? true) != useRegex {
                throw fail("pre_tokenizer ByteLevel use_regex=\(!useRegex) in this position")
            }
        }
        let type = p["type"] as? String ?? "?"
        if type == "ByteLevel" { try byteLevel(p, useRegex: true); return .gpt2 }
        guard type == "Sequence", let steps = p["pretokenizers"] as? [[String: Any]], steps.count == 2 else {
            throw fail("pre_tokenizer '\(type)' (supported: Sequence[Split(regex), ByteLevel], ByteLevel, Sequence[Digits, ByteLevel])")
        }
        let first = steps[0]
        switch first["type"] as? String ?? "?" {
        case "Split":
            guard let pat = (first["pattern"] as? [String: Any])?["Regex"] as? String else {
                throw fail("pre_tokenizer Split without a Regex pattern")
            }
            let behavior = first["behavior"] as? String ?? "?"
            guard behavior == "Isolated", first["invert"] as? Bool != true else {
                throw fail("pre_tokenizer Split behavior '\(behavior)'\(first["invert"] as? Bool == true ? " inverted" : "") (supported: Isolated)")
            }
            try byteLevel(steps[1], useRegex: false)
            switch pat {
            case qwen2Pattern: return .qwen2
            case llama3Pattern: return .llama3
            default:
                throw fail("pre_tokenizer Split regex \(pat.debugDescription) is not one of the recognised patterns (Qwen2/Qwen3, Llama 3)")
            }
        case "Digits":
            guard first["individual_digits"] as? Bool == true else { throw fail("pre_tokenizer Digits without individual_digits") }
            try byteLevel(steps[1], useRegex: true)
            return .smollm
        default:
            throw fail("pre_tokenizer step '\(first["type"] as? String ?? "?")'")
        }
    }

    /// The single-sequence template of a TemplateProcessing post-processor: special ids around `$A`.
    static func template(_ s: [String: Any], _ fail: (String) -> EngineError) throws -> ([Int32], [Int32]) {
        guard let single = s["single"] as? [[String: Any]] else { throw fail("TemplateProcessing without 'single'") }
        let specials = s["special_tokens"] as? [String: Any] ?? [:]
        var before: [Int32] = [], after: [Int32] = [], seenA = false
        for piece in single {
            if let seq = piece["Sequence"] as? [String: Any] {
                guard seq["id"] as? String == "A", !seenA else { throw fail("TemplateProcessing single template with sequence \(seq["id"] ?? "?")") }
                seenA = true
            } else if let sp = piece["SpecialToken"] as? [String: Any], let name = sp["id"] as? String {
                guard let entry = specials[name] as? [String: Any], let ids = entry["ids"] as? [NSNumber] else {
                    throw fail("TemplateProcessing special token '\(name)' has no ids")
                }
                if seenA { after += ids.map(\.int32Value) } else { before += ids.map(\.int32Value) }
            } else {
                throw fail("TemplateProcessing piece \(piece.keys.sorted())")
            }
        }
        return (before, after)
    }

    public func tokenId(_ text: String) -> Int32? { textToId[text] }

    /// Token string of an id (as `convert_ids_to_tokens`).
    public func token(_ id: Int32) -> String? {
        id >= 0 && Int(id) < vocabSize ? idToToken[Int(id)] : nil
    }

    /// Encodes as `tokenizer(text, add_special_tokens: addSpecialTokens)["input_ids"]`.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int32] {
        let ids = encode(text, parseSpecial: true)
        return addSpecialTokens ? prefixIds + ids + suffixIds : ids
    }

    /// Encodes without post-processing. HF matches added tokens always; `parseSpecial: false`
    /// leaves special ones as plain text (transformers' `split_special_tokens=True`).
    public func encode(_ text: String, parseSpecial: Bool) -> [Int32] {
        let utf8 = Array(text.utf8)
        var out: [Int32] = []
        out.reserveCapacity(utf8.count / 3 + 4)
        var start = 0
        for m in addedMatches(utf8, parseSpecial: parseSpecial) {
            if start < m.range.lowerBound { encodeSegment(utf8[start..<m.range.lowerBound], into: &out) }
            out.append(m.id)
            start = m.range.upperBound
        }
        if start < utf8.count { encodeSegment(utf8[start...], into: &out) }
        return out
    }

    private func encodeSegment(_ bytes: ArraySlice<UInt8>, into out: inout [Int32]) {
        var s = String(decoding: bytes, as: UTF8.self)
        if nfc { s = s.precomposedStringWithCanonicalMapping }
        out.append(contentsOf: core.encode(s, parseSpecial: false))
    }

    /// Added-token occurrences, leftmost first and longest at a position (tokenizers' Aho-Corasick
    /// LeftmostLongest), widened over surrounding whitespace for lstrip/rstrip.
    func addedMatches(_ u: [UInt8], parseSpecial: Bool) -> [(range: Range<Int>, id: Int32)] {
        guard !addedBytes.isEmpty else { return [] }
        var out: [(range: Range<Int>, id: Int32)] = []
        var i = 0
        var floor = 0  // matches may not widen into text already consumed
        while i < u.count {
            var best: (len: Int, tok: AddedToken)? = nil
            for (b, t) in addedBytes where b.count > (best?.len ?? 0) && i + b.count <= u.count && u[i] == b[0] {
                if !parseSpecial && t.special { continue }
                if u[i..<(i + b.count)].elementsEqual(b) { best = (b.count, t) }
            }
            guard let (len, tok) = best else { i += 1; continue }
            var lo = i, hi = i + len
            if tok.singleWord && (Self.isWordByteBefore(u, lo) || Self.isWordByteAfter(u, hi)) { i += 1; continue }
            if tok.lstrip { while lo > floor, let w = Self.whitespaceBefore(u, lo) { lo -= w } }
            if tok.rstrip { while let w = Self.whitespaceAt(u, hi) { hi += w } }
            out.append((lo..<hi, tok.id))
            i = hi
            floor = hi
        }
        return out
    }

    /// Length of a whitespace scalar starting at byte `i`, if there is one.
    static func whitespaceAt(_ u: [UInt8], _ i: Int) -> Int? {
        guard i < u.count else { return nil }
        let (s, len) = decodeScalar(u, i)
        return s.map(isRustWhitespace) == true ? len : nil
    }

    /// Length of a whitespace scalar ending just before byte `i`, if there is one.
    static func whitespaceBefore(_ u: [UInt8], _ i: Int) -> Int? {
        guard i > 0 else { return nil }
        var j = i - 1
        while j > 0 && u[j] & 0xC0 == 0x80 { j -= 1 }
        let (s, len) = decodeScalar(u, j)
        return s.map(isRustWhitespace) == true && j + len == i ? len : nil
    }

    static func isWordByteBefore(_ u: [UInt8], _ i: Int) -> Bool {
        guard i > 0 else { return false }
        var j = i - 1
        while j > 0 && u[j] & 0xC0 == 0x80 { j -= 1 }
        return decodeScalar(u, j).0.map(isWordScalar) ?? false
    }

    static func isWordByteAfter(_ u: [UInt8], _ i: Int) -> Bool {
        guard i < u.count else { return false }
        return decodeScalar(u, i).0.map(isWordScalar) ?? false
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || s == "_"
    }

    /// Rust's `char::is_whitespace` (Unicode White_Space).
    static func isRustWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    static func decodeScalar(_ u: [UInt8], _ i: Int) -> (Unicode.Scalar?, Int) {
        var it = u[i...].makeIterator()
        var dec = UTF8()
        switch dec.decode(&it) {
        case .scalarValue(let s): return (s, UTF8.width(s))
        default: return (nil, 1)
        }
    }

    /// Bytes of one token: added tokens give their text (special ones only with `special`),
    /// model tokens their bytes with the byte-level mapping undone.
    public func tokenBytes(_ id: Int32, special: Bool) -> [UInt8] {
        guard id >= 0 && Int(id) < vocabSize else { return [] }
        if let a = addedById[id] { return a.special && !special ? [] : Array(a.content.utf8) }
        var out: [UInt8] = []
        for s in idToToken[Int(id)].unicodeScalars {
            if let b = BPETokenizer.scalarToByte[s.value] { out.append(b) } else { UTF8.encode(s) { out.append($0) } }
        }
        return out
    }

    /// Decodes as transformers' `decode(ids, skip_special_tokens: !special)`: byte-level tokens
    /// are joined and read as UTF-8 (invalid sequences → U+FFFD), then the optional
    /// `clean_up_tokenization_spaces` rules apply.
    public func decode(_ ids: [Int32], special: Bool) -> String {
        var text = ""
        var run: [UInt8] = []
        for id in ids {
            if let a = addedById[id] {
                text += String(decoding: run, as: UTF8.self); run.removeAll()
                if !a.special || special { text += a.content }
            } else {
                run.append(contentsOf: tokenBytes(id, special: special))
            }
        }
        text += String(decoding: run, as: UTF8.self)
        return cleanUpTokenizationSpaces ? Self.cleanUp(text) : text
    }

    /// transformers' `clean_up_tokenization`.
    static func cleanUp(_ s: String) -> String {
        var t = s
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingOccurrences(of: a, with: b)
        }
        return t
    }
}
