/// What every tokenizer algorithm shares about a GGUF vocabulary: token texts and types, special
/// ids, end-of-generation detection (with llama.cpp's text heuristics), the split of input text
/// around special tokens, and the per-type decoding rules.
struct TokenVocabulary: Sendable {
    let texts: [String]
    /// Types after llama.cpp's overrides (end-of-turn texts become control tokens).
    let types: [TokenType]
    let bosId: Int32?
    let eosId: Int32?
    let eogIds: Set<Int32>
    /// Tokens matched literally in text before the algorithm runs, longest first.
    let specials: [(bytes: [UInt8], id: Int32, type: TokenType)]

    /// Texts that end a turn; llama.cpp treats them as end-of-generation and as control tokens
    /// whatever type the file gives them (its model-specific exceptions follow in `init`).
    static let endOfGenerationTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<\u{FF5C}end\u{2581}of\u{2581}sentence\u{FF5C}>", "[e~[",
    ]

    /// Reads texts and types from GGUF metadata.
    static func read(_ gguf: GGUFFile) throws -> (texts: [String], types: [TokenType]) {
        guard let toks = gguf.metadata["tokenizer.ggml.tokens"]?.arrayValue, !toks.isEmpty else {
            throw EngineError.invalidFile("\(gguf.path): no tokenizer.ggml.tokens")
        }
        let texts = toks.map { $0.stringValue ?? "" }
        var types = [TokenType](repeating: .normal, count: texts.count)
        if let raw = gguf.metadata["tokenizer.ggml.token_type"]?.arrayValue {
            guard raw.count >= texts.count else {
                throw EngineError.invalidFile("\(gguf.path): \(texts.count) tokens but \(raw.count) token types")
            }
            for i in 0..<texts.count { types[i] = TokenType(rawValue: Int32(raw[i].intValue ?? 0)) ?? .undefined }
        }
        return (texts, types)
    }

    /// Special ids named in the file; out-of-range ids are ignored as llama.cpp does.
    static func specialId(_ gguf: GGUFFile, _ name: String, count: Int) -> Int32? {
        guard let v = gguf.int("tokenizer.ggml.\(name)_token_id"), v >= 0, v < count else { return nil }
        return Int32(v)
    }

    init(gguf: GGUFFile, texts: [String], types: [TokenType]) {
        let n = texts.count
        var extra: [Int32] = []
        for k in ["eot", "eom", "fim_pad", "fim_rep", "fim_sep"] {
            if let id = Self.specialId(gguf, k, count: n) { extra.append(id) }
        }
        self.init(texts: texts, types: types, bos: Self.specialId(gguf, "bos", count: n),
                  eos: Self.specialId(gguf, "eos", count: n), extraEOG: extra)
    }

    init(texts: [String], types rawTypes: [TokenType], bos: Int32?, eos: Int32?, extraEOG: [Int32]) {
        var types = rawTypes
        var eog = Set(extraEOG)
        var byText: [String: Int] = [:]
        for (i, t) in texts.enumerated() {
            if Self.endOfGenerationTexts.contains(t) {
                eog.insert(Int32(i))
                if types[i] != .control { types[i] = .control }
            }
            // gpt-oss channel markers always render.
            if ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"].contains(t) { types[i] = .userDefined }
            if t == "<|end|>" || t == "</s>" || t == "<|return|>" || t == "<|call|>" || t == "<|calls|>"
                || t == "<|flush|>" || t == "<|tool_response>" || t == "<|plamo:eos|>" {
                byText[t] = i
            }
        }
        // Harmony-style vocabularies: "<|end|>" separates messages there and must not stop generation.
        if let end = byText["<|end|>"],
           (byText["<|return|>"] != nil && byText["<|call|>"] != nil) || (byText["<|calls|>"] != nil && byText["<|flush|>"] != nil) {
            eog.remove(Int32(end)); types[end] = .userDefined
        }
        // Where "</s>" is ordinary text (Gemma 4, PLaMo), it neither stops generation nor is special.
        if let s = byText["</s>"], byText["<|tool_response>"] != nil || byText["<|plamo:eos|>"] != nil {
            eog.remove(Int32(s)); types[s] = .normal
        }
        if let eos { eog.insert(eos) }
        self.texts = texts
        self.types = types
        bosId = bos
        eosId = eos
        eogIds = eog
        var sp: [(bytes: [UInt8], id: Int32, type: TokenType)] = []
        for (i, t) in texts.enumerated() where types[i] == .control || types[i] == .userDefined || types[i] == .unknown {
            if !t.isEmpty { sp.append((Array(t.utf8), Int32(i), types[i])) }
        }
        sp.sort { $0.bytes.count > $1.bytes.count }
        specials = sp
    }

    /// A piece of input: raw text (a byte range) or a special token matched in it.
    enum Fragment { case raw(Range<Int>), token(Int32) }

    /// Splits `utf8` around special tokens, longest token first (llama.cpp's
    /// `tokenizer_st_partition`). Control and unknown tokens are matched only with `parseSpecial`;
    /// user-defined tokens always are.
    func fragments(_ utf8: [UInt8], parseSpecial: Bool) -> [Fragment] {
        var frags: [Fragment] = utf8.isEmpty ? [] : [.raw(0..<utf8.count)]
        for sp in specials {
            if !parseSpecial && (sp.type == .control || sp.type == .unknown) { continue }
            let needle = sp.bytes
            let first = needle[0]
            var next: [Fragment] = []
            next.reserveCapacity(frags.count)
            for f in frags {
                guard case .raw(let r) = f, r.count >= needle.count else { next.append(f); continue }
                var start = r.lowerBound
                var i = r.lowerBound
                while i + needle.count <= r.upperBound {
                    if utf8[i] == first && utf8[i..<(i + needle.count)].elementsEqual(needle) {
                        if start < i { next.append(.raw(start..<i)) }
                        next.append(.token(sp.id))
                        i += needle.count
                        start = i
                    } else {
                        i += 1
                    }
                }
                if start < r.upperBound { next.append(.raw(start..<r.upperBound)) }
            }
            frags = next
        }
        return frags
    }

    /// Bytes of a token whose type decodes the same way in every algorithm; nil for `.normal`,
    /// which the algorithm decodes itself. Control and unknown tokens render only with `special`;
    /// unused and undefined tokens never render (llama.cpp's `token_to_piece`).
    func fixedPiece(_ i: Int, special: Bool) -> [UInt8]? {
        switch types[i] {
        case .normal: return nil
        case .control, .unknown: return special ? Array(texts[i].utf8) : []
        case .userDefined: return Array(texts[i].utf8)
        case .byte: return [Self.byteValue(texts[i]) ?? 0]
        case .unused, .undefined: return []
        }
    }

    /// The byte a `<0xAB>` token stands for.
    static func byteValue(_ text: String) -> UInt8? {
        let u = Array(text.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }

    /// Pieces joined as llama-cpp-python's `detokenize` does: one leading space is dropped when the
    /// first id is BOS (the space SentencePiece-style tokenizers prepend to the first word).
    func decode(_ ids: [Int32], piece: (Int32) -> [UInt8]) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes.append(contentsOf: piece(id)) }
        if let b = bosId, ids.first == b, bytes.first == 0x20 { bytes.removeFirst() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
