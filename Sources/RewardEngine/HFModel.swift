import Foundation

/// The output head of a Hugging Face checkpoint, on top of the decoder's final-normalized hidden states.
public enum HFHead: Sendable, Equatable, CustomStringConvertible {
    /// `*ForSequenceClassification`: `score.weight` [labels, H] (+ optional bias).
    case sequenceClassification(labels: Int)
    /// Qwen2.5-Math-RM / -PRM (`Qwen2ForRewardModel`, `Qwen2ForProcessRewardModel`): `score.0` Linear(H, H)
    /// with bias, ReLU, `score.2` Linear(H, outputs) with bias.
    case twoLayer(outputs: Int)
    /// `*ForCausalLM`: the LM head (`lm_head.weight`, or the embedding when tied); token-logit PRMs.
    case languageModel

    public var description: String {
        switch self {
        case .sequenceClassification(let n): return "sequence classification (score [\(n), H])"
        case .twoLayer(let n): return "two-layer score head (score.0 [H, H], ReLU, score.2 [\(n), H])"
        case .languageModel: return "language-model head"
        }
    }
}

/// A Hugging Face decoder checkpoint (Llama, Qwen2, Qwen3) with its head, run by the engine's
/// `LlamaModel` on safetensors weights. Sequences run unpadded, each in its own segment of one batched
/// forward pass, which is what transformers computes for right-padded batches (causal attention,
/// positions 0..T−1); pooling reproduces its padding rule from the token ids.
public final class HFModel: @unchecked Sendable {
    public let checkpoint: HFCheckpoint
    public let config: ModelConfig
    public let head: HFHead
    public let threads: Int
    let model: LlamaModel
    /// Head weights in f32: w1 [out1 × H] (+ b1), and for the two-layer head w2 [out2 × out1] + b2.
    let w1: [Float], b1: [Float]?, w2: [Float], b2: [Float]
    private let lock = NSLock()
    /// Tokens per forward batch (bounds scratch memory).
    static let maxBatchTokens = 4096

    /// How the projections are multiplied.
    public enum Precision: String, Sendable, CaseIterable {
        /// f32 activations on the checkpoint's weights (converted to f32): the parity mode (1e-4 of transformers fp32).
        case exact
        /// Weights quantized to Q8_0 blocks at load, activations rounded to 8-bit blocks, integer dot products
        /// (llama.cpp's q8_0 math): an opt-in speed mode, close to but not equal to transformers' scores.
        case q8
        /// Weights quantized to RewardKit's Q7_1 blocks at load (per 32 weights an f16 scale and offset, 7-bit
        /// unsigned values, 1.125 bytes per weight), activations as for `q8`: the faster opt-in speed mode on
        /// AVX2 cores without VNNI (unsigned weights skip Q8_0's sign trick); weight step (max − min)/127
        /// per block, about twice Q8_0's for symmetric weights.
        case q7
    }

    /// The `weights` spelling shared by `rewardkit bench hf --weights` and the `hf_rm`/`hf_prm` spec key:
    /// compact | dense | automatic (exact precision), q8 or q7.
    public static func weightMode(_ s: String) -> (memory: GGUFLanguageModel.WeightMemory, precision: Precision)? {
        let s = s.lowercased()
        if let p = Precision(rawValue: s), p != .exact { return (.compact, p) }
        return GGUFLanguageModel.WeightMemory(rawValue: s).map { ($0, .exact) }
    }

    /// Every spelling `weightMode` accepts, for error messages.
    public static let weightModeNames = (GGUFLanguageModel.WeightMemory.allCases.map(\.rawValue)
        + Precision.allCases.filter { $0 != .exact }.map(\.rawValue)).joined(separator: ", ")

    public let precision: Precision

    /// `weightMemory`: `.compact` (default for checkpoints: bf16 tiles are converted just before each
    /// sgemm, no f32 copy) or `.dense` (f32 copy of every projection). `.automatic` = dense within 1 GiB.
    /// `precision`: `.q8`/`.q7` quantize the projections at load (`QuantizedWeightSource`; `weightMemory` is then moot).
    public init(directory: String, threads: Int? = nil, weightMemory: GGUFLanguageModel.WeightMemory? = nil,
                precision: Precision = .exact) throws {
        self.precision = precision
        let ck = try HFCheckpoint(directory: directory)
        checkpoint = ck
        try ck.rejectUnsupportedTensors()
        let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
        let cfg = try ModelConfig(hf: ck.config, name: name, source: ck.directory + "/config.json")
        config = cfg
        let H = cfg.embeddingLength
        let head = try Self.detectHead(ck)
        self.head = head
        switch head {
        case .sequenceClassification(let n):
            w1 = try ck.floats("score.weight", shape: [n, H])
            b1 = ck.entry("score.bias") != nil ? try ck.floats("score.bias", shape: [n]) : nil
            w2 = []; b2 = []
        case .twoLayer(let n):
            w1 = try ck.floats("score.0.weight", shape: [H, H])
            b1 = try ck.floats("score.0.bias", shape: [H])
            w2 = try ck.floats("score.2.weight", shape: [n, H])
            b2 = try ck.floats("score.2.bias", shape: [n])
        case .languageModel:
            w1 = []; b1 = nil; w2 = []; b2 = []
        }
        let n = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.threads = n
        let memory = weightMemory ?? (ProcessInfo.processInfo.environment["REWARDKIT_WEIGHT_MEMORY"].flatMap {
            GGUFLanguageModel.WeightMemory(rawValue: $0.lowercased()) } ?? .compact)
        let dense: Bool
        switch memory {
        case .dense: dense = true
        case .compact: dense = false
        case .automatic:
            let params = ck.tensorNames.compactMap { ck.entry($0) }.filter { $0.shape.count == 2 }.reduce(0) { $0 + $1.elementCount }
            dense = params * 4 <= GGUFLanguageModel.automaticDenseLimit
        }
        if head == .languageModel && ck.entry("lm_head.weight") == nil && !ck.config.tieWordEmbeddings {
            throw EngineError.invalidCheckpoint("\(directory): no lm_head.weight and tie_word_embeddings is false")
        }
        switch precision {
        case .exact:
            model = try LlamaModel(weights: ck, config: cfg, threads: n, exact: true, dense: dense, lmHead: head == .languageModel)
        case .q8, .q7:
            let names = QuantizedWeightSource.projectionNames(layers: cfg.layerCount).filter { $0 != "output.weight" || head == .languageModel }
            let q = try QuantizedWeightSource(ck, names: names, blockType: precision == .q7 ? .q7_1 : .q8_0, threads: n)
            model = try LlamaModel(weights: q, config: cfg, threads: n, exact: false, dense: false, lmHead: head == .languageModel)
        }
    }

    /// The head from the declared architecture, confirmed by the tensors present.
    static func detectHead(_ ck: HFCheckpoint) throws -> HFHead {
        let arch = ck.config.architectures.first ?? ""
        let remote = ck.config.autoMap.isEmpty ? "" : " (remote code \(ck.config.autoMap.values.sorted().joined(separator: ", ")))"
        if let w = ck.entry("score.0.weight"), let w2 = ck.entry("score.2.weight") {
            guard w.shape.count == 2, w2.shape.count == 2 else { throw EngineError.invalidCheckpoint("\(ck.directory): score.0/score.2 are not matrices") }
            return .twoLayer(outputs: w2.shape[0])
        }
        if let w = ck.entry("score.weight") {
            guard w.shape.count == 2 else { throw EngineError.invalidCheckpoint("\(ck.directory): score.weight is not a matrix") }
            if let n = ck.config.numLabels, n != w.shape[0] {
                throw EngineError.invalidCheckpoint("\(ck.directory): score.weight has \(w.shape[0]) rows but num_labels is \(n)")
            }
            return .sequenceClassification(labels: w.shape[0])
        }
        if arch.hasSuffix("ForCausalLM") { return .languageModel }
        throw EngineError.unsupported("\(ck.directory): architecture \(arch.isEmpty ? "(none)" : arch)\(remote) — no head this engine knows (score.weight, score.0/score.2, or a CausalLM)")
    }

    public var padTokenId: Int32? { checkpoint.config.padTokenId.map(Int32.init) }

    /// transformers (≥ 4.49) pooling: the rightmost position whose id is not the pad id; no pad id → last.
    /// Padding only ever adds pad ids, so the index is the same for a sequence alone or right-padded in a batch.
    public func poolIndex(_ ids: [Int32]) -> Int {
        guard let pad = padTokenId else { return ids.count - 1 }
        return ids.lastIndex { $0 != pad } ?? 0
    }

    func checkTokens(_ ids: [Int32]) throws {
        guard !ids.isEmpty else { throw EngineError.invalidArgument("empty token sequence") }
        guard ids.count <= config.contextLength else {
            throw EngineError.invalidArgument("sequence of \(ids.count) tokens exceeds max_position_embeddings \(config.contextLength)")
        }
        for t in ids where t < 0 || Int(t) >= config.vocabSize {
            throw EngineError.invalidArgument("token id \(t) outside vocabulary (0..<\(config.vocabSize))")
        }
    }

    /// Final-normalized hidden states at `rows[i]` of each sequence `i`; sequences are packed into batched
    /// forward passes. `body(i, hiddenRow)` receives each selected row (d floats) while the batch is live.
    func forEachHidden(_ sequences: [[Int32]], rows: [[Int]], _ body: (Int, Int, UnsafePointer<Float>) -> Void) throws {
        precondition(sequences.count == rows.count)
        for (s, r) in zip(sequences, rows) {
            try checkTokens(s)
            for i in r where i < 0 || i >= s.count { throw EngineError.invalidArgument("position \(i) outside 0..<\(s.count)") }
        }
        let d = config.embeddingLength
        lock.lock()
        defer { lock.unlock() }
        for group in tokenBudgetGroups(sequences.map(\.count), budget: Self.maxBatchTokens) {
            let i = group.lowerBound, j = group.upperBound
            var tokens: [Int32] = []
            var segs: [BatchSegment] = []
            for k in i..<j {
                segs.append(BatchSegment(cache: model.makeCache(capacity: sequences[k].count), start: tokens.count, count: sequences[k].count))
                tokens += sequences[k]
            }
            // Only the rows the head reads go through the last block's o-proj/MLP and the final norm.
            let wanted = Array(Set(zip(segs, i..<j).flatMap { s, k in rows[k].map { s.start + $0 } })).sorted()
            let slot = Dictionary(uniqueKeysWithValues: wanted.enumerated().map { ($1, $0) })
            let hidden = model.forward(tokens: tokens, segments: segs, int8Batch: precision != .exact,
                                       outputRows: wanted.isEmpty ? nil : wanted)
            for (s, k) in zip(segs, i..<j) {
                for (ri, r) in rows[k].enumerated() { body(k, ri, hidden.pointer + slot[s.start + r]! * d) }
            }
        }
    }

    /// Head outputs at the given positions of each sequence: [sequence][position][output].
    public func headOutputs(_ sequences: [[Int32]], rows: [[Int]]) throws -> [[[Float]]] {
        guard head != .languageModel else { throw EngineError.invalidArgument("a language-model head has no score outputs; use tokenLogits") }
        var out = rows.map { [[Float]](repeating: [], count: $0.count) }
        let d = config.embeddingLength
        try forEachHidden(sequences, rows: rows) { k, ri, h in out[k][ri] = applyHead(h, d) }
        return out
    }

    func applyHead(_ h: UnsafePointer<Float>, _ d: Int) -> [Float] {
        func affine(_ w: [Float], _ b: [Float]?, _ x: UnsafePointer<Float>, _ n: Int) -> [Float] {
            let m = w.count / n
            return w.withUnsafeBufferPointer { wp in
                (0..<m).map { r in VectorMath.dot(wp.baseAddress! + r * n, x, n) + (b?[r] ?? 0) }
            }
        }
        switch head {
        case .sequenceClassification: return affine(w1, b1, h, d)
        case .twoLayer:
            let mid = affine(w1, b1, h, d).map { max($0, 0) }
            return mid.withUnsafeBufferPointer { affine(w2, b2, $0.baseAddress!, d) }
        case .languageModel: return []
        }
    }

    /// Sequence-classification / reward-model scores: head outputs at `poolIndex` of each sequence.
    public func sequenceScores(_ sequences: [[Int32]]) throws -> [[Float]] {
        try headOutputs(sequences, rows: sequences.map { [poolIndex($0)] }).map { $0[0] }
    }

    /// LM-head logits of selected vocabulary ids at the given positions: [sequence][position][token].
    public func tokenLogits(_ sequences: [[Int32]], rows: [[Int]], tokens: [Int32]) throws -> [[[Float]]] {
        guard head == .languageModel else { throw EngineError.invalidArgument("token logits need a CausalLM checkpoint (head: \(head))") }
        for t in tokens where t < 0 || Int(t) >= config.vocabSize { throw EngineError.invalidArgument("token id \(t) outside vocabulary") }
        let out = model.output!
        let d = config.embeddingLength
        // Only the requested rows of the LM head: f32 copies of those rows (a few tokens, not the vocabulary).
        let picked: [[Float]] = tokens.map { t in
            var row = [Float](repeating: 0, count: d)
            let p = out.parts.last { $0.rowStart <= Int(t) }!
            row.withUnsafeMutableBufferPointer { try? Linear.dequantize(p, rows: (Int(t) - p.rowStart)..<(Int(t) - p.rowStart + 1), cols: d, into: $0.baseAddress!) }
            return row
        }
        var res = rows.map { [[Float]](repeating: [], count: $0.count) }
        try forEachHidden(sequences, rows: rows) { k, ri, h in
            res[k][ri] = picked.map { r in r.withUnsafeBufferPointer { VectorMath.dot($0.baseAddress!, h, d) } }
        }
        return res
    }
}
