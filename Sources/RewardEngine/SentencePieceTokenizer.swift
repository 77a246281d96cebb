/// SentencePiece tokenizer (`tokenizer.ggml.model = llama`, e.g. Llama 2, Mistral v0.1) the way
/// llama.cpp runs it: spaces become U+2581, a space is prepended to text that starts the input or
/// follows a special token, adjacent symbols are merged by token score (highest first, leftmost on
/// ties), and whatever is left outside the vocabulary falls back to `<0xXX>` byte tokens.
public final class SentencePieceTokenizer: Tokenizer {
    public let vocabSize: Int
    public let tokenTexts: [String]
    public let tokenTypes: [TokenType]
    public let scores: [Float]
    /// `tokenizer.ggml.add_space_prefix` (default true).
    public let addSpacePrefix: Bool
    public let addBOS: Bool
    public let unknownId: Int32?
    let vocab: TokenVocabulary
    /// Exact UTF-8 bytes of each token → id. Keyed by bytes, not String: Swift's String equality
    /// would merge canonically equivalent texts (e.g. "é" and "e\u{301}") that are distinct tokens.
    let bytesToId: [ArraySlice<UInt8>: Int32]
    /// Token for each byte when a character has no token of its own (-1: none).
    let byteFallback: [Int32]
    /// Decoded bytes of every `.normal` token (U+2581 turned back into spaces).
    let normalPieces: [[UInt8]]

    public var bosId: Int32? { vocab.bosId }
    public var eosId: Int32? { vocab.eosId }
    public var eogIds: Set<Int32> { vocab.eogIds }

    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]  // U+2581 "▁"

    public convenience init(gguf: GGUFFile) throws {
        let model = gguf.string("tokenizer.ggml.model")
        guard model == "llama" else {
            throw EngineError.unsupported("tokenizer model '\(model ?? "")' is not SentencePiece ('llama')")
        }
        let (texts, types) = try TokenVocabulary.read(gguf)
        var scores = [Float](repeating: 0, count: texts.count)
        if let raw = gguf.metadata["tokenizer.ggml.scores"]?.arrayValue {
            guard raw.count >= texts.count else {
                throw EngineError.invalidFile("\(gguf.path): \(texts.count) tokens but \(raw.count) scores")
            }
            for i in 0..<texts.count { scores[i] = Float(raw[i].doubleValue ?? 0) }
        }
        try self.init(vocabulary: TokenVocabulary(gguf: gguf, texts: texts, types: types), scores: scores,
                      addSpacePrefix: gguf.metadata["tokenizer.ggml.add_space_prefix"]?.boolValue ?? true,
                      addBOS: gguf.metadata["tokenizer.ggml.add_bos_token"]?.boolValue ?? true,
                      unknownId: TokenVocabulary.specialId(gguf, "unknown", count: texts.count))
    }

    /// Builds a tokenizer from token texts, types and scores (bos/eos as in the GGUF keys).
    public convenience init(tokens: [String], types: [TokenType], scores: [Float], bos: Int32?, eos: Int32?,
                            unknownId: Int32? = nil, addSpacePrefix: Bool = true, addBOS: Bool = true) throws {
        guard tokens.count == types.count, tokens.count == scores.count, !tokens.isEmpty else {
            throw EngineError.invalidFile("tokenizer: \(tokens.count) tokens, \(types.count) types, \(scores.count) scores")
        }
        try self.init(vocabulary: TokenVocabulary(texts: tokens, types: types, bos: bos, eos: eos, extraEOG: []),
                      scores: scores, addSpacePrefix: addSpacePrefix, addBOS: addBOS, unknownId: unknownId)
    }

    init(vocabulary: TokenVocabulary, scores: [Float], addSpacePrefix: Bool, addBOS: Bool, unknownId: Int32?) throws {
        vocab = vocabulary
        vocabSize = vocabulary.texts.count
        tokenTexts = vocabulary.texts
        tokenTypes = vocabulary.types
        self.scores = scores
        self.addSpacePrefix = addSpacePrefix
        self.addBOS = addBOS
        self.unknownId = unknownId
        var map: [ArraySlice<UInt8>: Int32] = [:]
        map.reserveCapacity(vocabSize)
        // Later duplicates win, as in llama.cpp's token_to_id.
        for (i, t) in tokenTexts.enumerated() { map[ArraySlice(t.utf8)] = Int32(i) }
        bytesToId = map
        let hex = Array("0123456789ABCDEF".utf8)
        byteFallback = (0..<256).map { b in
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[b >> 4], hex[b & 15], 0x3E]  // "<0xAB>"
            return map[ArraySlice(name)] ?? map[ArraySlice([UInt8(b)])] ?? unknownId ?? -1
        }
        normalPieces = tokenTexts.enumerated().map { i, t in
            vocabulary.types[i] == .normal ? Self.unescape(Array(t.utf8)) : []
        }
    }

    static func unescape(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if i + 2 < b.count && b[i] == 0xE2 && b[i + 1] == 0x96 && b[i + 2] == 0x81 {
                out.append(0x20); i += 3
            } else {
                out.append(b[i]); i += 1
            }
        }
        return out
    }

    public func tokenId(_ text: String) -> Int32? { bytesToId[ArraySlice(text.utf8)] }

    /// Encodes text (never adds BOS). `parseSpecial`: control tokens written in the text become
    /// their ids; user-defined tokens are always matched.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        let utf8 = Array(text.utf8)
        var out: [Int32] = []
        out.reserveCapacity(utf8.count / 3 + 4)
        // The input's start counts as "after a special token": both get the space prefix.
        var afterSpecial = true
        for f in vocab.fragments(utf8, parseSpecial: parseSpecial) {
            switch f {
            case .token(let id):
                out.append(id)
                afterSpecial = true
            case .raw(let r):
                var escaped: [UInt8] = []
                escaped.reserveCapacity(r.count + 3)
                if addSpacePrefix && afterSpecial { escaped.append(contentsOf: Self.escapedSpace) }
                for b in utf8[r] {
                    if b == 0x20 { escaped.append(contentsOf: Self.escapedSpace) } else { escaped.append(b) }
                }
                encodeEscaped(escaped, into: &out)
                afterSpecial = false
            }
        }
        return out
    }

    /// A candidate merge of two adjacent symbols, valid while both still have the lengths they had
    /// when it was queued (lengths only grow, so that identifies them).
    struct Bigram: HeapOrdered {
        let left: Int32, right: Int32
        let score: Float
        let size: Int32

        static func precedes(_ a: Bigram, _ b: Bigram) -> Bool {
            a.score > b.score || (a.score == b.score && a.left < b.left)
        }
    }

    /// Score-ordered symbol merging over one fragment (spaces already escaped); O(n log n).
    private func encodeEscaped(_ text: [UInt8], into out: inout [Int32]) {
        guard !text.isEmpty else { return }
        // One symbol per UTF-8 character (a stray continuation byte is a symbol of its own).
        var start: [Int32] = [], len: [Int32] = [], prev: [Int32] = [], next: [Int32] = []
        let cap = text.count
        start.reserveCapacity(cap); len.reserveCapacity(cap); prev.reserveCapacity(cap); next.reserveCapacity(cap)
        var offs = 0
        while offs < text.count {
            let lead = text[offs]
            let n = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let l = min(n, text.count - offs)
            prev.append(Int32(start.count) - 1)
            start.append(Int32(offs))
            len.append(Int32(l))
            offs += l
            next.append(offs == text.count ? -1 : Int32(start.count))
        }
        var heap = BinaryHeap<Bigram>(capacity: start.count)
        func tryAdd(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let s = Int(start[Int(left)]), size = Int(len[Int(left)] + len[Int(right)])
            guard let id = bytesToId[text[s..<(s + size)]] else { return }
            heap.push(Bigram(left: left, right: right, score: scores[Int(id)], size: Int32(size)))
        }
        for i in 1..<start.count { tryAdd(Int32(i - 1), Int32(i)) }
        while let b = heap.pop() {
            let l = Int(b.left), r = Int(b.right)
            if len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.size { continue }
            len[l] += len[r]
            len[r] = 0
            next[l] = next[r]
            if next[r] >= 0 { prev[Int(next[r])] = b.left }
            tryAdd(prev[l], b.left)
            tryAdd(b.left, next[l])
        }
        var i: Int32 = 0
        while i >= 0 {
            let s = Int(start[Int(i)]), e = s + Int(len[Int(i)])
            if let id = bytesToId[text[s..<e]] {
                out.append(id)
            } else {
                // Only unmerged characters can be missing: spell them out as bytes.
                for byte in text[s..<e] where byteFallback[Int(byte)] >= 0 { out.append(byteFallback[Int(byte)]) }
            }
            i = next[Int(i)]
        }
    }

    /// Raw bytes of a token; control and unknown tokens give their text only when `special` is true.
    public func tokenBytes(_ id: Int32, special: Bool = true) -> [UInt8] {
        guard id >= 0 && Int(id) < vocabSize else { return [] }
        return vocab.fixedPiece(Int(id), special: special) ?? normalPieces[Int(id)]
    }

    /// Decodes ids to text as llama-cpp-python does (see `Tokenizer`); invalid UTF-8 becomes U+FFFD.
    public func decode(_ ids: [Int32], special: Bool = false) -> String {
        vocab.decode(ids) { tokenBytes($0, special: special) }
    }
}
