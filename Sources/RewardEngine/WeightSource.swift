/// One weight tensor as the forward pass reads it: ggml-ordered dims (dims[0] is the contiguous row
/// length), element type, and the bytes in place (memory-mapped; possibly unaligned).
struct WeightTensor: @unchecked Sendable {
    let name: String
    let dims: [Int]
    let type: GGMLType
    let data: UnsafeRawPointer
    var elementCount: Int { dims.reduce(1, *) }
}

/// Where `LlamaModel` gets its weights: the one seam between the transformer and a file format.
/// Tensors are named as in GGUF (`blk.N.attn_q.weight`, `token_embd.weight`, …); a source for another
/// format maps its own names and layouts onto these.
protocol WeightSource: AnyObject, Sendable {
    /// For error messages.
    var sourcePath: String { get }
    /// nil when the source has no tensor of that name.
    func weight(_ name: String) throws -> WeightTensor?
}

extension WeightSource {
    func contains(_ name: String) -> Bool { ((try? weight(name)) ?? nil) != nil }

    func require(_ name: String) throws -> WeightTensor {
        guard let t = try weight(name) else { throw EngineError.invalidFile("\(sourcePath): missing tensor \(name)") }
        return t
    }
}

extension GGUFFile: WeightSource {
    var sourcePath: String { path }

    func weight(_ name: String) throws -> WeightTensor? {
        guard let t = tensors[name] else { return nil }
        return WeightTensor(name: t.name, dims: t.dims, type: t.type, data: data(t))
    }
}
