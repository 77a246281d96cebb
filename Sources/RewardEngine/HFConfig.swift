import Foundation

/// A Hugging Face `config.json`, read with the key drift of transformers versions: RoPE as
/// `rope_parameters` (v5) or top-level `rope_theta` + `rope_scaling` (`rope_type` or the older `type`),
/// dtype as `dtype` or `torch_dtype`, eos as an id or a list, `head_dim` explicit or hidden/heads,
/// `num_labels` or the size of `id2label`.
public struct HFConfig: Sendable, Equatable {
    public let architectures: [String]
    public let modelType: String
    public let hiddenSize: Int
    public let intermediateSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let headCountKV: Int
    public let headDim: Int
    public let rmsEpsilon: Double
    public let ropeTheta: Double
    /// "default", "linear" or "llama3" (others are rejected).
    public let ropeType: String
    public let ropeFactor: Double
    public let ropeLowFreqFactor: Double
    public let ropeHighFreqFactor: Double
    public let ropeOriginalContext: Int
    public let maxPositionEmbeddings: Int
    public let vocabSize: Int
    public let padTokenId: Int?
    public let bosTokenId: Int?
    public let eosTokenIds: [Int]
    /// Explicit `num_labels` (or `id2label` size); nil when the file says nothing (transformers' default is 2).
    public let numLabels: Int?
    public let tieWordEmbeddings: Bool
    /// "bfloat16", "float16", "float32" or nil.
    public let dtype: String?
    public let autoMap: [String: String]

    public static let supportedModelTypes = ["llama", "qwen2", "qwen3"]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw EngineError.io("cannot read \(path)") }
        try self.init(data: data, source: path)
    }

    public init(data: Data, source: String = "config.json") throws {
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw EngineError.invalidCheckpoint("\(source): not a JSON object")
        }
        func num(_ k: String, in o: [String: Any] = obj) -> NSNumber? {
            o[k] as? NSNumber
        }
        func int(_ k: String) throws -> Int? {
            guard let v = obj[k], !(v is NSNull) else { return nil }
            guard let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded() else {
                throw EngineError.invalidCheckpoint("\(source): \(k) is not an integer")
            }
            return n.intValue
        }
        func req(_ k: String) throws -> Int {
            guard let v = try int(k), v > 0 else { throw EngineError.invalidCheckpoint("\(source): missing or invalid \(k)") }
            return v
        }
        architectures = obj["architectures"] as? [String] ?? []
        guard let mt = obj["model_type"] as? String else { throw EngineError.invalidCheckpoint("\(source): no model_type") }
        modelType = mt
        hiddenSize = try req("hidden_size")
        intermediateSize = try req("intermediate_size")
        layerCount = try req("num_hidden_layers")
        headCount = try req("num_attention_heads")
        headCountKV = try int("num_key_value_heads") ?? headCount
        headDim = try int("head_dim") ?? hiddenSize / headCount
        guard headDim > 0, headDim % 2 == 0 else { throw EngineError.invalidCheckpoint("\(source): bad head_dim \(headDim)") }
        rmsEpsilon = num("rms_norm_eps")?.doubleValue ?? 1e-6
        maxPositionEmbeddings = try int("max_position_embeddings") ?? 2048
        vocabSize = try req("vocab_size")
        padTokenId = try int("pad_token_id")
        bosTokenId = try int("bos_token_id")
        if let list = obj["eos_token_id"] as? [NSNumber] { eosTokenIds = list.map(\.intValue) } else { eosTokenIds = try int("eos_token_id").map { [$0] } ?? [] }
        if let n = try int("num_labels") { numLabels = n } else if let m = obj["id2label"] as? [String: Any] { numLabels = m.count } else { numLabels = nil }
        tieWordEmbeddings = (obj["tie_word_embeddings"] as? Bool) ?? false
        dtype = (obj["dtype"] as? String) ?? (obj["torch_dtype"] as? String)
        autoMap = (obj["auto_map"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]

        // RoPE: v5 `rope_parameters` holds everything; older files split theta and scaling.
        let params = obj["rope_parameters"] as? [String: Any]
        let scaling = params ?? (obj["rope_scaling"] as? [String: Any]) ?? [:]
        ropeTheta = (params.flatMap { num("rope_theta", in: $0) } ?? num("rope_theta"))?.doubleValue ?? 10000
        guard ropeTheta.isFinite, ropeTheta > 1 else { throw EngineError.invalidCheckpoint("\(source): bad rope_theta \(ropeTheta)") }
        let rt = (scaling["rope_type"] as? String) ?? (scaling["type"] as? String) ?? "default"
        guard ["default", "linear", "llama3"].contains(rt) else {
            throw EngineError.unsupported("\(source): rope type '\(rt)' (supported: default, linear, llama3)")
        }
        ropeType = rt
        ropeFactor = num("factor", in: scaling)?.doubleValue ?? 1
        ropeLowFreqFactor = num("low_freq_factor", in: scaling)?.doubleValue ?? 1
        ropeHighFreqFactor = num("high_freq_factor", in: scaling)?.doubleValue ?? 4
        ropeOriginalContext = num("original_max_position_embeddings", in: scaling)?.intValue ?? 8192
        if rt != "default" {
            guard ropeFactor.isFinite, ropeFactor > 0 else { throw EngineError.invalidCheckpoint("\(source): bad rope scaling factor \(ropeFactor)") }
        }
        if rt == "llama3" {
            guard ropeHighFreqFactor > ropeLowFreqFactor, ropeLowFreqFactor > 0, ropeOriginalContext > 0 else {
                throw EngineError.invalidCheckpoint("\(source): bad llama3 rope parameters")
            }
        }
        if let p = num("partial_rotary_factor", in: scaling) ?? num("partial_rotary_factor"), p.doubleValue != 1 {
            throw EngineError.unsupported("\(source): partial_rotary_factor \(p) (only 1)")
        }
        if (obj["use_sliding_window"] as? Bool) == true {
            throw EngineError.unsupported("\(source): sliding-window attention")
        }
        if (obj["mlp_bias"] as? Bool) == true { throw EngineError.unsupported("\(source): MLP biases (mlp_bias: true)") }
        if let act = obj["hidden_act"] as? String, act != "silu" {
            throw EngineError.unsupported("\(source): hidden_act '\(act)' (only silu)")
        }
        guard Self.supportedModelTypes.contains(mt) else {
            throw EngineError.unsupported("\(source): model_type '\(mt)' (supported: \(Self.supportedModelTypes.joined(separator: ", ")))")
        }
        // The engine's shape rules (GQA) live in ModelConfig; building one here reports them at load.
        _ = try ModelConfig(hf: self, name: mt, source: source)
    }

    /// llama3 RoPE as transformers computes it, expressed as a divisor of each pair's base frequency.
    var ropeFreqFactors: [Double]? {
        guard ropeType == "llama3" else { return nil }
        let orig = Double(ropeOriginalContext)
        let lowWavelen = orig / ropeLowFreqFactor, highWavelen = orig / ropeHighFreqFactor
        return (0..<(headDim / 2)).map { i in
            let inv = 1 / pow(ropeTheta, Double(2 * i) / Double(headDim))
            let wavelen = 2 * Double.pi / inv
            let scaled: Double
            if wavelen > lowWavelen { scaled = inv / ropeFactor }
            else if wavelen < highWavelen { scaled = inv }
            else {
                let s = (orig / wavelen - ropeLowFreqFactor) / (ropeHighFreqFactor - ropeLowFreqFactor)
                scaled = (1 - s) * inv / ropeFactor + s * inv
            }
            return inv / scaled
        }
    }
}

extension ModelConfig {
    /// The engine's hyper-parameters for a Hugging Face checkpoint (HF layout: RoPE pairs i with i + d/2).
    init(hf c: HFConfig, name: String, source: String = "config.json") throws {
        try Self.checkHeads(headCount: c.headCount, headCountKV: c.headCountKV) {
            EngineError.invalidCheckpoint("\(source): num_attention_heads \(c.headCount) not a multiple of num_key_value_heads \(c.headCountKV)")
        }
        architecture = c.modelType
        self.name = name
        layerCount = c.layerCount
        embeddingLength = c.hiddenSize
        feedForwardLength = c.intermediateSize
        headCount = c.headCount
        headCountKV = c.headCountKV
        headDim = c.headDim
        ropeDims = c.headDim
        ropeBase = c.ropeTheta
        ropeFreqScale = c.ropeType == "linear" ? 1 / c.ropeFactor : 1
        ropeFreqFactors = c.ropeFreqFactors
        ropeStyle = .halves
        rmsEpsilon = Float(c.rmsEpsilon)
        vocabSize = c.vocabSize
        contextLength = c.maxPositionEmbeddings
    }
}
