import Foundation

/// What `rewardkit models inspect DIR` prints: a checkpoint directory checked end to end (config,
/// tensors, head, tokenizer, chat template) as ordered key/value lines. Loading errors propagate:
/// an unsupported architecture, dtype or template feature is an error, never a partial summary.
public struct HFCheckpointSummary: Sendable {
    public let lines: [(key: String, value: String)]

    public init(directory: String) throws {
        let model = try HFModel(directory: directory, threads: 1, weightMemory: .compact)
        let ck = model.checkpoint, c = ck.config
        var l: [(String, String)] = []
        l.append(("architecture", (c.architectures.first ?? "(none)") + (c.autoMap.isEmpty ? "" : " (remote code; engine head below)")))
        l.append(("model_type", c.modelType))
        l.append(("layers", "\(c.layerCount)"))
        l.append(("hidden", "\(c.hiddenSize)"))
        l.append(("intermediate", "\(c.intermediateSize)"))
        l.append(("heads", "\(c.headCount) query, \(c.headCountKV) key/value, head_dim \(c.headDim)"))
        l.append(("vocab", "\(c.vocabSize)"))
        l.append(("context", "\(c.maxPositionEmbeddings)"))
        var rope = "\(c.ropeType), theta \(c.ropeTheta)"
        if c.ropeType != "default" { rope += ", factor \(c.ropeFactor)" }
        if c.ropeType == "llama3" { rope += ", original context \(c.ropeOriginalContext), low/high freq factor \(c.ropeLowFreqFactor)/\(c.ropeHighFreqFactor)" }
        l.append(("rope", rope))
        let qkNorm = ck.entry("model.layers.0.self_attn.q_norm.weight") != nil
        let bias = ck.entry("model.layers.0.self_attn.q_proj.bias") != nil
        l.append(("attention", [bias ? "q/k/v bias" : "no bias", qkNorm ? "q/k RMSNorm" : nil].compactMap { $0 }.joined(separator: ", ")))
        l.append(("head", model.head.description))
        if let pad = c.padTokenId { l.append(("pad_token_id", "\(pad) (pooling: rightmost non-pad token)")) } else { l.append(("pad_token_id", "none (pooling: last token)")) }
        var types: [String: Int] = [:]
        var params = 0
        for n in ck.tensorNames { if let e = ck.entry(n) { types[e.type.name, default: 0] += e.elementCount; params += e.elementCount } }
        l.append(("dtype", (c.dtype ?? "(not in config)") + "; tensors: " + types.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        l.append(("parameters", "\(params)"))
        // The projections the q8/q7 speed modes quantize at load (the rest stays as stored).
        let proj = ck.tensorNames.compactMap { ck.entry($0) }.filter { $0.shape.count == 2 && $0.name.hasSuffix("_proj.weight") }
            .reduce(0) { $0 + $1.elementCount }
        func mb(_ b: Int) -> String { b >= 1_000_000 ? String(format: "%.1f MB", Double(b) / 1e6) : String(format: "%.1f KB", Double(b) / 1e3) }
        l.append(("weights", "compact (default: exact f32 on the stored tiles) | dense | automatic | q8: Q8_0 blocks at load, "
                  + "\(mb(proj * 34 / 32)) | q7: 7-bit Q7_1 blocks at load (scale + offset per 32), \(mb(proj * 36 / 32)), "
                  + "fastest on AVX2; q8/q7 are speed modes, not transformers parity"))
        let bytes = ck.files.reduce(0) { $0 + $1.fileSize }
        l.append(("files", "\(ck.files.count) safetensors, \(String(format: "%.1f", Double(bytes) / 1e6)) MB"))
        let dir = URL(fileURLWithPath: directory)
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("tokenizer.json").path) {
            let t = try HFTokenizerBundle.load(directory: dir)
            l.append(("tokenizer", "tokenizer.json, \(t.tokenizer.vocabSize) tokens, BOS added: \(t.tokenizer.addBOS ? "yes" : "no")"))
            let names = t.templateSources.keys.sorted()
            l.append(("template", t.chatTemplate != nil ? "chat template (\(names.joined(separator: ", "))), parsed" : "none (raw prompt + response)"))
        } else {
            l.append(("tokenizer", "none (token ids only)"))
            l.append(("template", "none"))
        }
        lines = l
    }
}
