import Foundation

/// `LanguageModel` backed by a GGUF file and the native Llama-family forward pass.
/// Weights are immutable; each call owns its KV caches. Calls are serialized by a lock because
/// every forward pass already uses all configured threads.
public final class GGUFLanguageModel: LanguageModel, @unchecked Sendable {
    public let info: ModelInfo
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate
    public let config: ModelConfig
    let model: LlamaModel
    private let lock = NSLock()
    /// Tokens per forward batch when scoring many sequences (bounds scratch memory).
    static let maxBatchTokens = 2048

    /// How activations meet quantized weights.
    public enum Precision: Sendable {
        /// Scoring and prefill in f32; token-by-token decode rounds activations to 8-bit blocks and uses
        /// integer dot products on the quantized weights, as llama.cpp's decode does (default; fast).
        case llamaCompatible
        /// f32 activations everywhere, decode included: the exact math of the dequantized weights (slower decode).
        case exact
    }

    /// How generation prefill (prompt and appended context tokens before sampling) computes its rows.
    /// Scoring (logprobs, hidden states, reward models, KV spans) is always f32 exact whatever this says.
    public enum PrefillPrecision: String, Sendable, CaseIterable {
        /// Each row as a decode step: 8-bit activations on the quantized weights, attention per row (what
        /// llama.cpp's prefill does). A token's logits and KV are then bit-identical whether it was prefilled in
        /// one pass, appended after a cached prefix or decoded, so a continuation does not depend on how
        /// its context was built. The default; no effect with `Precision.exact`.
        case int8
        /// f32 sgemm on the dequantized weights, as scoring does.
        case exact

        /// $REWARDKIT_PREFILL (int8|exact), else `.int8`.
        public static var fromEnvironment: PrefillPrecision {
            ProcessInfo.processInfo.environment["REWARDKIT_PREFILL"].flatMap { PrefillPrecision(rawValue: $0.lowercased()) } ?? .int8
        }
    }

    /// Where batched forward passes (prefill, scoring) get f32 weights from. Decode always reads the
    /// quantized blocks in place from the mapped file.
    public enum WeightMemory: String, Sendable, CaseIterable {
        /// `dense` when the f32 copy fits in `automaticDenseLimit` bytes, else `compact`
        /// (small models stay fast; big ones stay within memory). The default.
        case automatic
        /// Keep an f32 copy of every projection (4 bytes per weight): fastest batches, short prompts included.
        case dense
        /// No copy: each worker dequantizes 128-row tiles just before multiplying them (least memory;
        /// costs one dequantization of the model per batched forward pass).
        case compact

        /// $REWARDKIT_WEIGHT_MEMORY (automatic|dense|compact), else `.automatic`.
        public static var fromEnvironment: WeightMemory {
            ProcessInfo.processInfo.environment["REWARDKIT_WEIGHT_MEMORY"].flatMap { WeightMemory(rawValue: $0.lowercased()) } ?? .automatic
        }
    }

    /// Largest f32 copy `.automatic` keeps (1 GiB: SmolLM2-135M needs 0.54 GB).
    public static let automaticDenseLimit = 1 << 30

    /// Loads a model file. `threads` defaults to the number of cores.
    public init(path: String, threads: Int? = nil, precision: Precision = .llamaCompatible,
                weightMemory: WeightMemory = .fromEnvironment, prefill: PrefillPrecision = .fromEnvironment) throws {
        let file = try GGUFFile(path: path)
        let config = try ModelConfig(gguf: file)
        let n = threads ?? ProcessInfo.processInfo.activeProcessorCount
        tokenizer = try TokenizerLoader.load(gguf: file)
        chatTemplate = ChatTemplate.detect(file.string("tokenizer.chat_template"))
        let dense: Bool
        switch weightMemory {
        case .dense: dense = true
        case .compact: dense = false
        case .automatic:
            // Parameters of the projections ≈ all tensors except norms; the embedding counts once when tied.
            let params = file.tensors.values.reduce(0) { $0 + ($1.dims.count == 2 ? $1.elementCount : 0) }
            dense = params * 4 <= Self.automaticDenseLimit
        }
        model = try LlamaModel(weights: file, config: config, threads: n, exact: precision == .exact, dense: dense,
                                int8Prefill: prefill == .int8)
        self.config = config
        info = ModelInfo(name: config.name, architecture: config.architecture, path: path, vocabSize: config.vocabSize,
                         hiddenSize: config.embeddingLength, layerCount: config.layerCount,
                         contextLength: config.contextLength, threads: max(1, n))
    }

    /// Loads a pulled model by name (see `ModelStore`) or a GGUF path.
    public static func load(_ nameOrPath: String, threads: Int? = nil, precision: Precision = .llamaCompatible,
                            weightMemory: WeightMemory = .fromEnvironment, prefill: PrefillPrecision = .fromEnvironment) throws -> GGUFLanguageModel {
        try GGUFLanguageModel(path: ModelStore.resolve(nameOrPath), threads: threads, precision: precision, weightMemory: weightMemory,
                              prefill: prefill)
    }

    /// How this model's generation prefill runs (`.exact` when the model's precision is exact).
    public var prefillPrecision: PrefillPrecision { model.int8Prefill ? .int8 : .exact }

    /// Bytes of f32 weight copies held in memory (0 with `.compact`); the mapped file comes on top.
    public var weightBytes: Int { model.weightBytes }

    /// True when an f32 copy of the projections is kept (see `WeightMemory`).
    public var hasDenseWeights: Bool { model.weightBytes > 0 }

    public func tokenize(_ text: String, parseSpecial: Bool = false) -> [Int32] {
        tokenizer.encode(text, parseSpecial: parseSpecial)
    }

    public func detokenize(_ ids: [Int32], special: Bool = false) -> String {
        tokenizer.decode(ids, special: special)
    }

    public func renderChat(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        chatTemplate.render(messages, addGenerationPrompt: addGenerationPrompt)
    }

    /// Runs `body` holding the model lock (forward passes use every thread; one at a time).
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        try withLock(body)
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func checkTokens(_ ids: [Int32]) throws {
        for t in ids where t < 0 || Int(t) >= config.vocabSize {
            throw EngineError.invalidArgument("token id \(t) outside vocabulary (0..<\(config.vocabSize))")
        }
    }

    // MARK: scoring

    /// Scores rows of a sequence: for each (row, target) returns log p(target), argmax, log p(argmax).
    private func scoreRows(hidden: UnsafePointer<Float>, rows: [Int], targets: [Int32]) -> [PositionScore] {
        let d = config.embeddingLength, V = config.vocabSize
        let chunk = 64
        let logits = FloatBuffer(count: min(chunk, max(rows.count, 1)) * V, zeroed: false)
        let packed = FloatBuffer(count: min(chunk, max(rows.count, 1)) * d, zeroed: false)
        var out = [PositionScore?](repeating: nil, count: rows.count)
        var c0 = 0
        while c0 < rows.count {
            let c1 = min(c0 + chunk, rows.count)
            for (i, r) in rows[c0..<c1].enumerated() {
                (packed.pointer + i * d).update(from: hidden + r * d, count: d)
            }
            model.logits(hidden: packed.pointer, rows: c1 - c0, out: logits.pointer)
            let results = UnsafeMutableBufferPointer<PositionScore?>.allocate(capacity: c1 - c0)
            results.initialize(repeating: nil)
            parallelRows(c1 - c0, model.threads) { i in
                let row = logits.pointer + i * V
                let lse = VectorMath.logSumExp(row, V)
                var best = 0
                var bv = -Float.infinity
                for j in 0..<V where row[j] > bv { bv = row[j]; best = j }
                results[i] = PositionScore(logprob: Double(row[Int(targets[c0 + i])]) - lse,
                                           top1: Int32(best), top1Logprob: Double(bv) - lse)
            }
            for i in 0..<(c1 - c0) { out[c0 + i] = results[i] }
            results.deallocate()
            c0 = c1
        }
        return out.map { $0! }
    }

    public func logprobs(context: [Int32], continuation: [Int32]) async throws -> ContinuationLogprobs {
        try await logprobs(batch: [(context, continuation)])[0]
    }

    public func logprobs(batch: [(context: [Int32], continuation: [Int32])]) async throws -> [ContinuationLogprobs] {
        var items: [(ctx: [Int32], cont: [Int32])] = []
        for (ctx0, cont) in batch {
            var ctx = ctx0
            if ctx.isEmpty {
                // A first token needs something to be conditioned on.
                guard let bos = tokenizer.bosId else { throw EngineError.invalidArgument("empty context and the model has no BOS token") }
                ctx = [bos]
            }
            try checkTokens(ctx); try checkTokens(cont)
            guard ctx.count + cont.count <= config.contextLength else {
                throw EngineError.invalidArgument("sequence of \(ctx.count + cont.count) tokens exceeds context length \(config.contextLength)")
            }
            items.append((ctx, cont))
        }
        return withLock {
            var results = [ContinuationLogprobs?](repeating: nil, count: items.count)
            for group in tokenBudgetGroups(items.map { $0.ctx.count + $0.cont.count }, budget: Self.maxBatchTokens) {
                // Pack whole sequences into one batch so the projections run as large sgemms.
                let i = group.lowerBound, j = group.upperBound
                var tokens: [Int32] = []
                var segs: [BatchSegment] = []
                for k in i..<j {
                    let seq = items[k].ctx + items[k].cont
                    segs.append(BatchSegment(cache: model.makeCache(capacity: seq.count), start: tokens.count, count: seq.count))
                    tokens += seq
                }
                let hidden = model.forward(tokens: tokens, segments: segs)
                for (s, k) in zip(segs, i..<j) {
                    let (ctx, cont) = items[k]
                    let rows = (0..<cont.count).map { s.start + ctx.count - 1 + $0 }
                    let scores = scoreRows(hidden: hidden.pointer, rows: rows, targets: cont)
                    results[k] = ContinuationLogprobs(contextTokens: ctx, tokens: cont,
                                                      tokenLogprobs: scores.map(\.logprob),
                                                      isTop1: zip(scores, cont).map { $0.top1 == $1 })
                }
            }
            return results.map { $0! }
        }
    }

    public func scoreSequence(_ tokens: [Int32]) async throws -> [PositionScore] {
        try checkTokens(tokens)
        guard tokens.count >= 2 else { return [] }
        guard tokens.count <= config.contextLength else { throw EngineError.invalidArgument("sequence exceeds context length") }
        return withLock {
            let seg = BatchSegment(cache: model.makeCache(capacity: tokens.count), start: 0, count: tokens.count)
            let hidden = model.forward(tokens: tokens, segments: [seg])
            return scoreRows(hidden: hidden.pointer, rows: Array(0..<(tokens.count - 1)), targets: Array(tokens[1...]))
        }
    }

    public func hiddenStates(tokens: [Int32], at positions: HiddenStatePositions) async throws -> [[Float]] {
        try checkTokens(tokens)
        guard !tokens.isEmpty else { return [] }
        guard tokens.count <= config.contextLength else { throw EngineError.invalidArgument("sequence exceeds context length") }
        let rows: [Int]
        switch positions {
        case .all: rows = Array(0..<tokens.count)
        case .last: rows = [tokens.count - 1]
        case .indices(let idx):
            for i in idx where i < 0 || i >= tokens.count {
                throw EngineError.invalidArgument("hidden-state position \(i) outside 0..<\(tokens.count)")
            }
            rows = idx
        }
        let d = config.embeddingLength
        return withLock {
            let seg = BatchSegment(cache: model.makeCache(capacity: tokens.count), start: 0, count: tokens.count)
            let hidden = model.forward(tokens: tokens, segments: [seg])
            return rows.map { Array(UnsafeBufferPointer(start: hidden.pointer + $0 * d, count: d)) }
        }
    }

    /// Residual stream after the first `layers` blocks (no final norm), one row per token.
    /// A diagnostic for checking the math against an independent reference.
    public func residualStream(tokens: [Int32], afterLayers layers: Int) throws -> [[Float]] {
        try checkTokens(tokens)
        let d = config.embeddingLength
        return withLock {
            let seg = BatchSegment(cache: model.makeCache(capacity: tokens.count), start: 0, count: tokens.count)
            let x = model.forward(tokens: tokens, segments: [seg], layerLimit: max(0, layers))
            return (0..<tokens.count).map { Array(UnsafeBufferPointer(start: x.pointer + $0 * d, count: d)) }
        }
    }

    // MARK: generation

    /// One prompt's samples, decoded in one continuous batch with every other request (see `BatchGeneration`).
    public func generate(prompt: [Int32], options: GenerationOptions,
                         onText: (@Sendable (Int, String) -> Void)?) async throws -> [Generation] {
        var stream: (@Sendable (Int, Int, String) -> Void)? = nil
        if let f = onText { stream = { _, sample, text in f(sample, text) } }
        let results = try await generate(requests: [GenerationRequest(prompt: prompt, options: options)],
                                         maxBatch: max(options.samples, 1), onText: stream)
        return results[0]
    }
}
