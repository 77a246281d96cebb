/// Continuous batching over one `GGUFLanguageModel`: many sequences, each with its own KV cache, that
/// start, fork, advance and finish independently; every `step` advances all the sequences it is given by
/// one token in a single forward pass, so the quantized weights are read once per step for all of them
/// (a B-row integer GEMM per projection) and attention runs for all sequences in one parallel section.
///
/// This is the seam search and labeling generate through:
/// - `add(prompt:)` prefills a prompt once; `fork(_:)` starts a sibling from a sequence's current state
///   (its KV cache is copied, never recomputed), e.g. k rollouts from one step prefix or beam children;
/// - `extend(_:tokens:)` appends several known tokens (a step's text) to one sequence in one pass;
/// - `step(_:)` feeds one chosen token to each listed sequence; `logits(_:)` / `sample(_:with:)` read the
///   distribution over the next token; `remove(_:)` frees a finished sequence.
///
/// Results do not depend on the batch: a sequence gets bit-identical logits whether it is stepped alone
/// or with others, and (int8 prefill) whether its tokens were added, extended or stepped (int8 decode kernels and f32 exact mode alike; see `Linear`). Memory per sequence is its
/// KV cache, 2 · layers · kvDim · 4 bytes per position (SmolLM2-135M: 46 KB per token), plus one logits
/// row (vocab · 4 bytes). Not thread-safe: drive one batch from one task; forward passes take the model's
/// lock, so other model calls interleave between steps.
public final class SequenceBatch: @unchecked Sendable {
    public struct ID: Hashable, Sendable, Comparable {
        public let raw: Int
        public static func < (a: ID, b: ID) -> Bool { a.raw < b.raw }
    }

    final class Sequence {
        var cache: KVCache
        /// Next-token logits after the last token fed.
        let logits: FloatBuffer
        init(cache: KVCache, logits: FloatBuffer) { self.cache = cache; self.logits = logits }
    }

    public let model: GGUFLanguageModel
    private var sequences: [ID: Sequence] = [:]
    private var nextID = 0
    /// Extra KV positions reserved when a sequence is created (avoids regrowing during decode).
    public var reserve: Int
    private var stepLogits = FloatBuffer(count: 1, zeroed: false)

    /// `reserve`: KV positions to allocate beyond each prompt up front (e.g. the max new tokens).
    public init(model: GGUFLanguageModel, reserve: Int = 256) {
        self.model = model
        self.reserve = max(0, reserve)
    }

    /// Live sequences.
    public var count: Int { sequences.count }
    public var ids: [ID] { sequences.keys.sorted() }

    /// Tokens held in a sequence's KV cache.
    public func length(_ id: ID) throws -> Int { try sequence(id).cache.count }

    /// Bytes held by KV caches and logits rows of the live sequences.
    public var bytes: Int { sequences.values.reduce(0) { $0 + $1.cache.bytes + $1.logits.count * 4 } }

    private func sequence(_ id: ID) throws -> Sequence {
        guard let s = sequences[id] else { throw EngineError.invalidArgument("unknown sequence \(id.raw)") }
        return s
    }

    private func newID() -> ID {
        defer { nextID += 1 }
        return ID(raw: nextID)
    }

    /// A new sequence: the prompt is prefilled now (see `GGUFLanguageModel.PrefillPrecision`) and its next-token logits are ready.
    public func add(prompt: [Int32]) throws -> ID {
        guard !prompt.isEmpty else { throw EngineError.invalidArgument("empty prompt") }
        try model.checkTokens(prompt)
        let cfg = model.config
        guard prompt.count < cfg.contextLength else {
            throw EngineError.invalidArgument("prompt of \(prompt.count) tokens fills the context (\(cfg.contextLength))")
        }
        let cache = model.model.makeCache(capacity: min(cfg.contextLength, prompt.count + reserve))
        let seq = Sequence(cache: cache, logits: FloatBuffer(count: cfg.vocabSize, zeroed: false))
        try prefill(seq, prompt)
        let id = newID()
        sequences[id] = seq
        return id
    }

    /// A sibling of `parent` with a copy of its KV cache and logits (no recomputation).
    public func fork(_ parent: ID) throws -> ID {
        let p = try sequence(parent)
        let V = model.config.vocabSize
        let cache = p.cache.copy(upTo: p.cache.count, extra: min(reserve, max(0, model.config.contextLength - p.cache.count)))
        let seq = Sequence(cache: cache, logits: FloatBuffer(count: V, zeroed: false))
        seq.logits.pointer.update(from: p.logits.pointer, count: V)
        let id = newID()
        sequences[id] = seq
        return id
    }

    /// Appends known tokens to one sequence in one forward pass (like a prompt) and refreshes its logits.
    public func extend(_ id: ID, tokens: [Int32]) throws {
        let seq = try sequence(id)
        guard !tokens.isEmpty else { return }
        try model.checkTokens(tokens)
        guard seq.cache.count + tokens.count <= model.config.contextLength else {
            throw EngineError.invalidArgument("sequence would exceed the context length \(model.config.contextLength)")
        }
        try prefill(seq, tokens)
    }

    private func prefill(_ seq: Sequence, _ tokens: [Int32]) throws {
        let lm = model.model
        let d = model.config.embeddingLength
        // int8 prefill computes every row as a decode step, so the KV and logits equal decoding the tokens.
        let perRow = lm.int8Prefill
        model.locked {
            let h = lm.forward(tokens: tokens, segments: [BatchSegment(cache: seq.cache, start: 0, count: tokens.count)], decodeStep: perRow)
            lm.logits(hidden: h.pointer + (tokens.count - 1) * d, rows: 1, out: seq.logits.pointer, decodeStep: perRow)
        }
    }

    /// Feeds one token to each listed sequence and advances them together in one decode pass.
    public func step(_ feed: [(id: ID, token: Int32)]) throws {
        guard !feed.isEmpty else { return }
        let ctx = model.config.contextLength, V = model.config.vocabSize
        var seqs: [Sequence] = []
        seqs.reserveCapacity(feed.count)
        var seen = Set<ID>()
        for (id, tok) in feed {
            let s = try sequence(id)
            guard seen.insert(id).inserted else { throw EngineError.invalidArgument("sequence \(id.raw) fed twice in one step") }
            guard tok >= 0 && Int(tok) < V else { throw EngineError.invalidArgument("token id \(tok) outside vocabulary (0..<\(V))") }
            guard s.cache.count < ctx else { throw EngineError.invalidArgument("sequence \(id.raw) is at the context length \(ctx)") }
            seqs.append(s)
        }
        let tokens = feed.map(\.token)
        let segs = seqs.enumerated().map { BatchSegment(cache: $1.cache, start: $0, count: 1) }
        let lm = model.model
        if stepLogits.count < seqs.count * V { stepLogits = FloatBuffer(count: seqs.count * V, zeroed: false) }
        let out = stepLogits
        model.locked {
            let h = lm.forward(tokens: tokens, segments: segs, decodeStep: true)
            lm.logits(hidden: h.pointer, rows: seqs.count, out: out.pointer, decodeStep: true)
        }
        let box = UncheckedSendable(seqs)
        parallelRows(seqs.count, seqs.count >= 8 ? lm.threads : 1) { i in
            box.value[i].logits.pointer.update(from: out.pointer + i * V, count: V)
        }
    }

    /// The next-token logits of a sequence (valid until its next `step`/`extend`; `sample` may modify them).
    public func logits(_ id: ID) throws -> UnsafeMutableBufferPointer<Float> {
        let s = try sequence(id)
        return UnsafeMutableBufferPointer(start: s.logits.pointer, count: model.config.vocabSize)
    }

    /// Draws the next token of a sequence with `sampler` (`history` feeds the repetition penalty).
    public func sample(_ id: ID, with sampler: inout Sampler, history: [Int32] = []) throws -> Int32 {
        sampler.sample(try logits(id), history: history)
    }

    /// Draws the next token of every listed sequence, `samplers[i]` for `ids[i]`, in parallel over the
    /// model's threads when the batch is large enough to pay for it (each sampler is independent, so the
    /// tokens are the same as sampling one after another). `histories`, when given, feed the repetition penalty.
    public func sample(_ ids: [ID], with samplers: inout [Sampler], histories: [[Int32]]? = nil) throws -> [Int32] {
        guard samplers.count == ids.count, histories.map({ $0.count == ids.count }) ?? true else {
            throw EngineError.invalidArgument("sample: \(ids.count) sequences, \(samplers.count) samplers")
        }
        let logits = try ids.map { try self.logits($0) }
        var out = [Int32](repeating: 0, count: ids.count)
        samplers.withUnsafeMutableBufferPointer { smp in
            out.withUnsafeMutableBufferPointer { o in
                let box = UncheckedSendable((smp, o, logits, histories))
                parallelRows(ids.count, ids.count >= 2 ? model.model.threads : 1) { i in
                    let (smp, o, logits, histories) = box.value
                    o[i] = smp[i].sample(logits[i], history: histories?[i] ?? [])
                }
            }
        }
        return out
    }

    /// Frees a sequence.
    public func remove(_ id: ID) {
        sequences[id] = nil
    }
}
