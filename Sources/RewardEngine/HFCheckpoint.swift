import Foundation

/// A Hugging Face checkpoint directory: `config.json` plus `model.safetensors` or a sharded
/// `model.safetensors.index.json` (every shard memory-mapped). Serves the decoder's weights to
/// `LlamaModel` under GGUF names (`WeightSource`): HF `[out, in]` arrays are GGUF `[in, out]` dims with
/// the same bytes, so nothing is copied or permuted (the HF RoPE layout is handled by `ropeStyle`).
public final class HFCheckpoint: WeightSource, @unchecked Sendable {
    public let directory: String
    public let config: HFConfig
    public let files: [SafeTensorsFile]
    /// Tensor name → (file index, entry).
    let index: [String: (Int, SafeTensorsFile.Entry)]

    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw EngineError.io("\(directory): not a directory")
        }
        let configPath = directory + "/config.json"
        guard fm.fileExists(atPath: configPath) else { throw EngineError.invalidCheckpoint("\(directory): no config.json") }
        config = try HFConfig(path: configPath)
        let single = directory + "/model.safetensors", indexPath = directory + "/model.safetensors.index.json"
        var names: [String]
        var expected: [String: String]? = nil
        if fm.fileExists(atPath: indexPath) {
            guard let data = fm.contents(atPath: indexPath),
                  let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let map = obj["weight_map"] as? [String: String] else {
                throw EngineError.invalidCheckpoint("\(indexPath): needs a weight_map object of tensor → file")
            }
            for f in map.values where f.contains("/") || f.hasPrefix(".") {
                throw EngineError.invalidCheckpoint("\(indexPath): shard name '\(f)' must be a file in the directory")
            }
            names = Array(Set(map.values)).sorted()
            expected = map
        } else if fm.fileExists(atPath: single) {
            names = ["model.safetensors"]
        } else {
            throw EngineError.invalidCheckpoint("\(directory): no model.safetensors or model.safetensors.index.json")
        }
        files = try names.map { try SafeTensorsFile(path: directory + "/" + $0) }
        var idx: [String: (Int, SafeTensorsFile.Entry)] = [:]
        for (i, f) in files.enumerated() {
            for (n, e) in f.tensors {
                if idx[n] != nil { throw EngineError.invalidCheckpoint("\(directory): tensor \(n) appears in two shards") }
                idx[n] = (i, e)
            }
        }
        if let map = expected {
            for (n, file) in map.sorted(by: { $0.key < $1.key }) {
                guard let (i, _) = idx[n] else { throw EngineError.invalidCheckpoint("\(directory)/\(file): missing tensor \(n) listed in the index") }
                guard names[i] == file else {
                    throw EngineError.invalidCheckpoint("\(directory): tensor \(n) is in \(names[i]), the index says \(file)")
                }
            }
        }
        index = idx
    }

    public var sourcePath: String { directory }

    /// A raw checkpoint tensor by its HF name.
    public func entry(_ name: String) -> SafeTensorsFile.Entry? { index[name]?.1 }

    public var tensorNames: [String] { index.keys.sorted() }

    /// A checkpoint tensor converted to f32, with its expected shape checked.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let (i, e) = index[name] else { throw EngineError.invalidCheckpoint("\(directory): missing tensor \(name)") }
        guard e.shape == shape else {
            throw EngineError.invalidCheckpoint("\(directory): tensor \(name) has shape \(e.shape), expected \(shape)")
        }
        var out = [Float](repeating: 0, count: e.elementCount)
        try out.withUnsafeMutableBufferPointer { try QuantBlocks.dequantize(e.type, files[i].data(e), $0.baseAddress!, count: e.elementCount) }
        return out
    }

    /// GGUF tensor name → HF tensor name for the Llama/Qwen2/Qwen3 decoder.
    static func hfName(_ gguf: String) -> String? {
        switch gguf {
        case "token_embd.weight": return "model.embed_tokens.weight"
        case "output_norm.weight": return "model.norm.weight"
        case "output.weight": return "lm_head.weight"
        default: break
        }
        let parts = gguf.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]) else { return nil }
        let rest = parts[2]
        let table: [Substring: String] = [
            "attn_norm.weight": "input_layernorm.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
            "attn_q.weight": "self_attn.q_proj.weight", "attn_k.weight": "self_attn.k_proj.weight",
            "attn_v.weight": "self_attn.v_proj.weight", "attn_output.weight": "self_attn.o_proj.weight",
            "attn_q.bias": "self_attn.q_proj.bias", "attn_k.bias": "self_attn.k_proj.bias", "attn_v.bias": "self_attn.v_proj.bias",
            "attn_q_norm.weight": "self_attn.q_norm.weight", "attn_k_norm.weight": "self_attn.k_norm.weight",
            "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight", "ffn_down.weight": "mlp.down_proj.weight",
        ]
        guard let t = table[rest] else { return nil }
        return "model.layers.\(layer).\(t)"
    }

    func weight(_ name: String) throws -> WeightTensor? {
        guard let hf = Self.hfName(name), let (i, e) = index[hf] else { return nil }
        return WeightTensor(name: hf, dims: e.shape.reversed(), type: e.type, data: files[i].data(e))
    }

    /// Decoder tensors the forward pass would ignore: refuse rather than compute something else.
    func rejectUnsupportedTensors() throws {
        for n in index.keys.sorted() where n.hasPrefix("model.layers.") {
            if n.hasSuffix("o_proj.bias") || (n.contains(".mlp.") && n.hasSuffix(".bias")) {
                throw EngineError.unsupported("\(directory): bias tensor \(n) (the forward pass has Q/K/V biases only)")
            }
            if n.contains("sliding") || n.contains(".experts.") || n.hasSuffix("mlp.gate.weight") {
                throw EngineError.unsupported("\(directory): tensor \(n) (mixture-of-experts or other unsupported layer)")
            }
        }
        for i in 0..<config.layerCount {
            let p = "model.layers.\(i).self_attn."
            let biases = ["q_proj.bias", "k_proj.bias", "v_proj.bias"].filter { index[p + $0] != nil }
            if !biases.isEmpty && biases.count != 3 {
                throw EngineError.unsupported("\(directory): layer \(i) has only \(biases.joined(separator: ", ")) (Q/K/V biases must come together)")
            }
            let norms = ["q_norm.weight", "k_norm.weight"].filter { index[p + $0] != nil }
            if norms.count == 1 { throw EngineError.unsupported("\(directory): layer \(i) has only \(norms[0])") }
        }
    }
}
