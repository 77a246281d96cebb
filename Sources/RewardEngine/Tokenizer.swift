/// ggml token types (`tokenizer.ggml.token_type`); values outside 0…6 read as `.undefined`, as in llama.cpp.
public enum TokenType: Int32, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// What a model needs from its tokenizer, whichever algorithm `tokenizer.ggml.model` names.
/// Contract shared by all implementations (and checked against llama.cpp by the parity tests):
///  - `encode` never adds BOS; control/unknown tokens written in the text become ids only with
///    `parseSpecial`, user-defined tokens always do.
///  - `decode` concatenates `tokenBytes` and drops one leading space when the first id is BOS
///    (llama-cpp-python's `detokenize`); invalid UTF-8 becomes U+FFFD.
public protocol Tokenizer: AnyObject, Sendable {
    var vocabSize: Int { get }
    var bosId: Int32? { get }
    var eosId: Int32? { get }
    /// Whether prompts for this model conventionally start with BOS (`tokenizer.ggml.add_bos_token`).
    var addBOS: Bool { get }
    /// End-of-generation tokens (eos, eot, <|im_end|>, <|eot_id|>, …).
    var eogIds: Set<Int32> { get }

    /// Token id of an exact vocabulary entry (e.g. "<|im_end|>").
    func tokenId(_ text: String) -> Int32?
    func encode(_ text: String, parseSpecial: Bool) -> [Int32]
    func decode(_ ids: [Int32], special: Bool) -> String
    /// Raw bytes of one token (for streaming); control and unknown tokens give their text only when `special`.
    func tokenBytes(_ id: Int32, special: Bool) -> [UInt8]
}

extension Tokenizer {
    public func isEndOfGeneration(_ id: Int32) -> Bool { eogIds.contains(id) }
    public func encode(_ text: String) -> [Int32] { encode(text, parseSpecial: false) }
    public func decode(_ ids: [Int32]) -> String { decode(ids, special: false) }
    public func tokenBytes(_ id: Int32) -> [UInt8] { tokenBytes(id, special: true) }
}

/// Builds the tokenizer a GGUF file asks for.
public enum TokenizerLoader {
    public static func load(gguf: GGUFFile) throws -> any Tokenizer {
        guard let model = gguf.string("tokenizer.ggml.model") else {
            throw EngineError.invalidFile("\(gguf.path): no tokenizer.ggml.model")
        }
        switch model {
        case "gpt2": return try BPETokenizer(gguf: gguf)
        case "llama": return try SentencePieceTokenizer(gguf: gguf)
        default:
            throw EngineError.unsupported("tokenizer model '\(model)' (implemented: byte-level BPE 'gpt2', SentencePiece 'llama')")
        }
    }
}
