/// Hyper-parameters of a Llama-family model, read from GGUF metadata (`<arch>.*` keys).
/// Interprets the keys the way llama.cpp does for the `llama`, `qwen2` and `qwen3` architectures, and rejects
/// (with `EngineError.unsupported`) files whose metadata or tensors ask for something the forward pass
/// does not implement, rather than computing something else silently.
public struct ModelConfig: Sendable, Equatable {
    public enum RopeStyle: Sendable { case adjacentPairs, halves }

    public let architecture: String
    public let name: String
    public let layerCount: Int
    public let embeddingLength: Int
    public let feedForwardLength: Int
    public let headCount: Int
    public let headCountKV: Int
    public let headDim: Int
    public let ropeDims: Int
    public let ropeBase: Double
    /// Multiplies positions (1 / linear scaling factor).
    public let ropeFreqScale: Double
    /// Llama 3.1-style per-frequency divisors from `rope_freqs.weight` (ropeDims/2 values): pair i
    /// rotates by pos·scale·base^(−2i/dims) / factor[i]. nil when the file has none.
    public let ropeFreqFactors: [Double]?
    public let ropeStyle: RopeStyle
    public let rmsEpsilon: Float
    public let vocabSize: Int
    public let contextLength: Int

    public var qDim: Int { headCount * headDim }
    public var kvDim: Int { headCountKV * headDim }

    static let supportedArchitectures = ["llama", "qwen2", "qwen3"]

    /// Grouped-query attention: each KV head serves a whole number of query heads. One rule for every
    /// source; `error` words it in the source's own field names.
    static func checkHeads(headCount: Int, headCountKV: Int, error: () -> EngineError) throws {
        guard headCount > 0, headCountKV > 0, headCount % headCountKV == 0 else { throw error() }
    }

    public init(gguf: GGUFFile) throws {
        guard let arch = gguf.string("general.architecture") else {
            throw EngineError.invalidFile("\(gguf.path): no general.architecture")
        }
        guard Self.supportedArchitectures.contains(arch) else {
            throw EngineError.unsupported("architecture '\(arch)' (supported: \(Self.supportedArchitectures.joined(separator: ", ")))")
        }
        let path = gguf.path
        /// An integer key; per-layer arrays are accepted only when every layer has the same value.
        func int(_ k: String) throws -> Int? {
            let key = "\(arch).\(k)"
            guard let v = gguf.metadata[key] else { return nil }
            if let a = v.arrayValue {
                let vals = a.compactMap(\.intValue)
                guard !vals.isEmpty, vals.count == a.count else { throw EngineError.invalidFile("\(path): \(key) is not an integer array") }
                guard Set(vals).count == 1 else {
                    throw EngineError.unsupported("\(path): per-layer \(key) \(vals.prefix(8))… (only the same value for every layer)")
                }
                return vals[0]
            }
            guard let i = v.intValue else { throw EngineError.invalidFile("\(path): \(key) is not an integer") }
            return i
        }
        func req(_ k: String) throws -> Int {
            guard let v = try int(k), v > 0 else { throw EngineError.invalidFile("\(path): missing or invalid \(arch).\(k)") }
            return v
        }
        architecture = arch
        name = gguf.string("general.name") ?? arch
        layerCount = try req("block_count")
        embeddingLength = try req("embedding_length")
        feedForwardLength = try req("feed_forward_length")
        headCount = try req("attention.head_count")
        headCountKV = try int("attention.head_count_kv") ?? headCount
        let (heads, kvHeads) = (headCount, headCountKV)
        try Self.checkHeads(headCount: heads, headCountKV: kvHeads) {
            EngineError.invalidFile("\(path): head_count \(heads) not a multiple of head_count_kv \(kvHeads)")
        }
        if let experts = try int("expert_count"), experts > 0 {
            throw EngineError.unsupported("\(path): mixture-of-experts model (\(arch).expert_count = \(experts))")
        }
        headDim = try int("attention.key_length") ?? embeddingLength / headCount
        guard headDim > 0, headDim % 2 == 0 else { throw EngineError.invalidFile("\(path): bad head dimension \(headDim)") }
        if let vl = try int("attention.value_length"), vl != headDim {
            throw EngineError.unsupported("\(path): value head size \(vl) differs from key head size \(headDim)")
        }
        ropeDims = try int("rope.dimension_count") ?? headDim
        guard ropeDims > 0, ropeDims <= headDim, ropeDims % 2 == 0 else { throw EngineError.invalidFile("\(path): bad rope.dimension_count \(ropeDims)") }
        ropeBase = gguf.double("\(arch).rope.freq_base") ?? 10000
        guard ropeBase.isFinite, ropeBase > 1 else { throw EngineError.invalidFile("\(path): bad rope.freq_base \(ropeBase)") }

        // RoPE scaling as llama.cpp reads it: the type defaults to linear; the factor comes from
        // rope.scaling.factor (or the older rope.scale_linear) whatever the type; type "none" disables it.
        let scalingType = gguf.string("\(arch).rope.scaling.type") ?? "linear"
        switch scalingType {
        case "none":
            ropeFreqScale = 1
        case "linear":
            let f = gguf.double("\(arch).rope.scaling.factor") ?? gguf.double("\(arch).rope.scale_linear") ?? 0
            guard f.isFinite, f >= 0 else { throw EngineError.invalidFile("\(path): bad rope scaling factor \(f)") }
            ropeFreqScale = f == 0 ? 1 : 1 / f
        default:
            throw EngineError.unsupported("\(path): rope scaling type '\(scalingType)' (supported: none, linear)")
        }
        if let af = gguf.double("\(arch).rope.scaling.attn_factor"), af != 1 {
            throw EngineError.unsupported("\(path): rope.scaling.attn_factor \(af) (only 1)")
        }

        // GGUF conversion permutes Llama Q/K rows so rotation pairs are adjacent (ggml NORM rope);
        // Qwen2/Qwen3 keep HF's halves (NEOX).
        ropeStyle = arch == "llama" ? .adjacentPairs : .halves
        rmsEpsilon = Float(gguf.double("\(arch).attention.layer_norm_rms_epsilon") ?? 1e-6)
        let vocabFromTokens = gguf.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count
        vocabSize = try int("vocab_size") ?? vocabFromTokens ?? 0
        guard vocabSize > 0 else { throw EngineError.invalidFile("\(path): unknown vocabulary size") }
        contextLength = try int("context_length") ?? 2048

        ropeFreqFactors = try Self.readFreqFactors(gguf, count: ropeDims / 2, arch: arch)
        try Self.rejectUnsupportedTensors(gguf, layers: layerCount)
    }

    /// `rope_freqs.weight` (Llama 3.1 "llama3" rope type, stored by the converter as a tensor).
    static func readFreqFactors(_ gguf: GGUFFile, count: Int, arch: String) throws -> [Double]? {
        guard let t = gguf.tensors["rope_freqs.weight"] else { return nil }
        guard arch == "llama" else { throw EngineError.unsupported("\(gguf.path): rope_freqs.weight in a \(arch) model") }
        guard t.elementCount == count else {
            throw EngineError.invalidFile("\(gguf.path): rope_freqs.weight has \(t.elementCount) values, expected \(count) (rope dims / 2)")
        }
        guard t.type.isSupported, count % t.type.blockSize == 0 else {
            throw EngineError.unsupported("\(gguf.path): tensor type \(t.type.name) for rope_freqs.weight")
        }
        var f = [Float](repeating: 0, count: count)
        try f.withUnsafeMutableBufferPointer { try QuantBlocks.dequantize(t.type, gguf.data(t), $0.baseAddress!, count: count) }
        guard f.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw EngineError.invalidFile("\(gguf.path): rope_freqs.weight has non-positive or non-finite factors")
        }
        return f.map(Double.init)
    }

    /// Tensors llama.cpp would use for these architectures but the forward pass does not: refuse the file.
    static func rejectUnsupportedTensors(_ gguf: GGUFFile, layers: Int) throws {
        func reject(_ name: String, _ what: String) throws {
            if gguf.tensors[name] != nil { throw EngineError.unsupported("\(gguf.path): \(what) (tensor \(name))") }
        }
        try reject("output.bias", "output projection bias")
        try reject("rope_factors_long.weight", "LongRoPE frequency factors")
        try reject("rope_factors_short.weight", "LongRoPE frequency factors")
        for i in 0..<layers {
            let p = "blk.\(i)."
            try reject(p + "attn_qkv.weight", "fused QKV projection")
            try reject(p + "attn_output.bias", "attention output bias")
            try reject(p + "ffn_gate.bias", "feed-forward bias")
            try reject(p + "ffn_up.bias", "feed-forward bias")
            try reject(p + "ffn_down.bias", "feed-forward bias")
            try reject(p + "ffn_gate_inp.weight", "mixture-of-experts router")
            // Q/K/V biases are all-or-nothing in the forward pass.
            let present = ["attn_q.bias", "attn_k.bias", "attn_v.bias"].filter { gguf.tensors[p + $0] != nil }
            if !present.isEmpty && present.count != 3 {
                throw EngineError.unsupported("\(gguf.path): layer \(i) has only \(present.joined(separator: ", ")) (Q/K/V biases must come together)")
            }
        }
    }
}
