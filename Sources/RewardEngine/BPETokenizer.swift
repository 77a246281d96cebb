/// Byte-level BPE tokenizer (`tokenizer.ggml.model = gpt2`) built from GGUF metadata.
public final class BPETokenizer: Tokenizer {
    public typealias TokenType = RewardEngine.TokenType

    public let vocabSize: Int
    public let tokenTexts: [String]
    public let tokenTypes: [TokenType]
    let vocab: TokenVocabulary
    /// Bytes each `.normal` token decodes to (byte-level mapping undone).
    let normalBytes: [[UInt8]]
    let textToId: [String: Int32]
    /// (left << 32 | right) → (rank, merged id).
    let merges: [UInt64: MergeEntry]
    let byteToId: [Int32]
    let pre: PreTokenizer
    /// A word that is itself a token skips merging (llama.cpp's `ignore_merges`, Llama 3 family).
    let ignoreMerges: Bool

    public let addBOS: Bool
    public var bosId: Int32? { vocab.bosId }
    public var eosId: Int32? { vocab.eosId }
    /// End-of-generation tokens (eos, eot, <|im_end|>, <|eot_id|>, …).
    public var eogIds: Set<Int32> { vocab.eogIds }

    struct MergeEntry: Sendable { let rank: Int32; let id: Int32 }

    /// GPT-2's reversible byte ↔ printable-code-point mapping.
    static let byteToScalar: [Unicode.Scalar] = {
        var bs: [Int] = Array(33...126) + Array(161...172) + Array(174...255)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b); cs.append(256 + n); n += 1
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (b, c) in zip(bs, cs) { table[b] = Unicode.Scalar(UInt32(c))! }
        return table
    }()

    static let scalarToByte: [UInt32: UInt8] = {
        var m: [UInt32: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { m[s.value] = UInt8(b) }
        return m
    }()

    /// `tokenizer.ggml.pre` values whose llama.cpp pre-tokenizer sets `ignore_merges`.
    static let ignoreMergesPre: Set<String> = [
        "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano",
    ]

    public convenience init(gguf: GGUFFile) throws {
        guard let model = gguf.string("tokenizer.ggml.model") else {
            throw EngineError.invalidFile("\(gguf.path): no tokenizer.ggml.model")
        }
        guard model == "gpt2" else {
            throw EngineError.unsupported("tokenizer model '\(model)' is not byte-level BPE ('gpt2')")
        }
        let (texts, types) = try TokenVocabulary.read(gguf)
        let merges = gguf.metadata["tokenizer.ggml.merges"]?.arrayValue?.map { $0.stringValue ?? "" } ?? []
        let preName = gguf.string("tokenizer.ggml.pre")
        let pre = try PreTokenizerKind(ggufName: preName)
        let llama3Family = Self.ignoreMergesPre.contains(preName ?? "")
        self.init(vocabulary: TokenVocabulary(gguf: gguf, texts: texts, types: types), merges: merges, pre: pre,
                  addBOS: gguf.metadata["tokenizer.ggml.add_bos_token"]?.boolValue ?? llama3Family,
                  ignoreMerges: llama3Family)
    }

    /// Builds a tokenizer from token texts, types and merges. `eog` adds end-of-generation ids to
    /// eos and the well-known end-of-turn texts.
    public convenience init(tokens: [String], types: [TokenType], merges mergeList: [String], pre: PreTokenizerKind,
                            bos: Int32?, eos: Int32?, addBOS: Bool, eog: Set<Int32>) throws {
        guard tokens.count == types.count, !tokens.isEmpty else {
            throw EngineError.invalidFile("tokenizer: \(tokens.count) tokens but \(types.count) token types")
        }
        self.init(vocabulary: TokenVocabulary(texts: tokens, types: types, bos: bos, eos: eos, extraEOG: Array(eog)),
                  merges: mergeList, pre: pre, addBOS: addBOS, ignoreMerges: pre == .llama3)
    }

    init(vocabulary: TokenVocabulary, merges mergeList: [String], pre: PreTokenizerKind, addBOS: Bool, ignoreMerges: Bool) {
        vocab = vocabulary
        let tokens = vocabulary.texts, types = vocabulary.types
        vocabSize = tokens.count
        tokenTexts = tokens
        tokenTypes = types
        var t2i: [String: Int32] = [:]
        t2i.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where t2i[t] == nil { t2i[t] = Int32(i) }
        textToId = t2i
        var b2i = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            b2i[b] = t2i[String(Character(Self.byteToScalar[b]))] ?? -1
        }
        byteToId = b2i
        normalBytes = tokens.enumerated().map { i, t in
            guard types[i] == .normal else { return [] }
            var out: [UInt8] = []
            out.reserveCapacity(t.unicodeScalars.count)
            for s in t.unicodeScalars {
                if let b = Self.scalarToByte[s.value] { out.append(b) } else { out.append(contentsOf: Array(String(s).utf8)) }
            }
            return out
        }
        var m: [UInt64: MergeEntry] = [:]
        m.reserveCapacity(mergeList.count)
        for (rank, line) in mergeList.enumerated() {
            // Split at the first space after position 0 (a token may itself start with a space).
            let u = Array(line.utf8)
            guard u.count >= 3, let sp = u[1...].firstIndex(of: 0x20) else { continue }
            let a = String(decoding: u[..<sp], as: UTF8.self)
            let b = String(decoding: u[(sp + 1)...], as: UTF8.self)
            guard let ia = t2i[a], let ib = t2i[b], let ic = t2i[a + b] else { continue }
            let key = UInt64(UInt32(ia)) << 32 | UInt64(UInt32(ib))
            if m[key] == nil { m[key] = MergeEntry(rank: Int32(rank), id: ic) }
        }
        merges = m
        self.pre = PreTokenizer(kind: pre)
        self.ignoreMerges = ignoreMerges
        self.addBOS = addBOS
    }

    /// Token id of an exact vocabulary entry (e.g. "<|im_end|>").
    public func tokenId(_ text: String) -> Int32? { textToId[text] }

    /// Encodes text. `parseSpecial`: control tokens written in the text become their ids; otherwise
    /// they are tokenized as plain text (user-defined tokens are always matched, as in the reference).
    /// Never adds BOS.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        let utf8 = Array(text.utf8)
        var out: [Int32] = []
        out.reserveCapacity(utf8.count / 3 + 4)
        var scratch = MergeScratch()
        for f in vocab.fragments(utf8, parseSpecial: parseSpecial) {
            switch f {
            case .token(let id): out.append(id)
            case .raw(let r): encodeRaw(String(decoding: utf8[r], as: UTF8.self), into: &out, &scratch)
            }
        }
        return out
    }

    private func encodeRaw(_ text: String, into out: inout [Int32], _ scratch: inout MergeScratch) {
        let cps = Array(text.unicodeScalars)
        var bytes: [UInt8] = []
        for w in pre.split(cps) {
            bytes.removeAll(keepingCapacity: true)
            for s in cps[w] { UTF8.encode(s) { bytes.append($0) } }
            bpe(bytes, into: &out, &scratch)
        }
    }

    /// A candidate merge of two adjacent symbols, valid while both still hold the ids it was built from.
    struct Bigram: HeapOrdered {
        let left: Int32, right: Int32
        let rank: Int32
        let leftId: Int32, rightId: Int32, merged: Int32

        static func precedes(_ a: Bigram, _ b: Bigram) -> Bool {
            a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
        }
    }

    /// Buffers reused across the words of one `encode` call.
    struct MergeScratch {
        var ids: [Int32] = [], prev: [Int32] = [], next: [Int32] = []
        var heap = BinaryHeap<Bigram>()
    }

    /// Applies the lowest-ranked adjacent merge first (leftmost on ties) until none applies; a heap
    /// of candidates keeps long words O(n log n).
    private func bpe(_ word: [UInt8], into out: inout [Int32], _ s: inout MergeScratch) {
        if ignoreMerges {
            var str = String.UnicodeScalarView()
            for b in word { str.append(Self.byteToScalar[Int(b)]) }
            if let id = textToId[String(str)] { out.append(id); return }
        }
        s.ids.removeAll(keepingCapacity: true)
        for b in word where byteToId[Int(b)] >= 0 { s.ids.append(byteToId[Int(b)]) }
        let n = s.ids.count
        if n < 2 { out.append(contentsOf: s.ids); return }
        s.prev.removeAll(keepingCapacity: true)
        s.next.removeAll(keepingCapacity: true)
        for i in 0..<n { s.prev.append(Int32(i - 1)); s.next.append(i + 1 < n ? Int32(i + 1) : -1) }
        s.heap.removeAll()
        func tryAdd(_ l: Int32, _ r: Int32, _ s: inout MergeScratch) {
            guard l >= 0, r >= 0 else { return }
            let a = s.ids[Int(l)], b = s.ids[Int(r)]
            guard let e = merges[UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))] else { return }
            s.heap.push(Bigram(left: l, right: r, rank: e.rank, leftId: a, rightId: b, merged: e.id))
        }
        for i in 1..<n { tryAdd(Int32(i - 1), Int32(i), &s) }
        while let g = s.heap.pop() {
            let l = Int(g.left), r = Int(g.right)
            // Stale: a side was merged away (-1) or grew into another token since this was queued.
            guard s.ids[l] == g.leftId, s.ids[r] == g.rightId, s.next[l] == g.right else { continue }
            s.ids[l] = g.merged
            s.ids[r] = -1
            s.next[l] = s.next[r]
            if s.next[r] >= 0 { s.prev[Int(s.next[r])] = g.left }
            tryAdd(s.prev[l], g.left, &s)
            tryAdd(g.left, s.next[l], &s)
        }
        var i: Int32 = 0
        while i >= 0 { out.append(s.ids[Int(i)]); i = s.next[Int(i)] }
    }

    /// Raw bytes of a token; control and unknown tokens give their text only when `special` is true.
    public func tokenBytes(_ id: Int32, special: Bool = true) -> [UInt8] {
        guard id >= 0 && Int(id) < vocabSize else { return [] }
        return vocab.fixedPiece(Int(id), special: special) ?? normalBytes[Int(id)]
    }

    /// Decodes ids as llama-cpp-python does (see `Tokenizer`); invalid UTF-8 becomes U+FFFD.
    public func decode(_ ids: [Int32], special: Bool = false) -> String {
        vocab.decode(ids) { tokenBytes($0, special: special) }
    }
}

/// Turns a stream of token bytes into text without ever splitting a multi-byte character:
/// an incomplete UTF-8 sequence at the end is held back until its continuation arrives.
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Appends bytes and returns the text that is now complete.
    public mutating func append(_ bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        let keep = Self.incompleteSuffixLength(pending)
        let ready = pending.count - keep
        guard ready > 0 else { return "" }
        let s = String(decoding: pending[..<ready], as: UTF8.self)
        pending.removeFirst(ready)
        return s
    }

    /// Flushes whatever is left (an unfinished sequence becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// Length of a trailing, so-far-valid but unfinished UTF-8 sequence (0…3).
    static func incompleteSuffixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        var i = n - 1
        var cont = 0
        while i >= 0 && cont < 3 && b[i] & 0xC0 == 0x80 { i -= 1; cont += 1 }
        guard i >= 0 else { return 0 }
        let lead = b[i]
        let need: Int
        if lead & 0xE0 == 0xC0 { need = 2 } else if lead & 0xF0 == 0xE0 { need = 3 } else if lead & 0xF8 == 0xF0 { need = 4 } else { return 0 }
        let have = n - i
        return have < need ? have : 0
    }
}
