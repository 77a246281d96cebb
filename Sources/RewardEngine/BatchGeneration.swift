/// One prompt to sample `options.samples` completions of.
public struct GenerationRequest: Sendable, Equatable {
    public var prompt: [Int32]
    public var options: GenerationOptions
    public init(prompt: [Int32], options: GenerationOptions) {
        self.prompt = prompt
        self.options = options
    }
}

extension GGUFLanguageModel {
    /// Bytes of KV cache one sequence of `tokens` positions holds (both K and V, f32, every layer).
    public func kvBytes(tokens: Int) -> Int { 2 * config.layerCount * config.kvDim * 4 * tokens }

    /// Samples every request's completions through one continuously batched decode (`SequenceBatch`):
    /// up to `maxBatch` sequences advance per forward pass; a request joins as soon as its samples fit
    /// and finished samples leave at once, so short and long completions of different prompts share steps.
    /// Each prompt is prefilled once; its samples fork its KV cache. Sample i of a request draws from
    /// `Sampler(options:stream: i)` and, because batched decode is exact, gets the same tokens as when the
    /// request runs alone. A request with more samples than `maxBatch` runs once the batch is empty.
    /// Memory: about `maxBatch · kvBytes(prompt + maxTokens)` plus 4 · vocab bytes per sequence.
    /// Returns completions per request, in sample order. `onText(request, sample, text)` streams text.
    public func generate(requests: [GenerationRequest], maxBatch: Int = 16,
                         onText: (@Sendable (_ request: Int, _ sample: Int, _ text: String) -> Void)? = nil) async throws -> [[Generation]] {
        try await generateTimed(requests: requests, maxBatch: maxBatch, onText: onText).generations
    }

    /// `generate(requests:maxBatch:onText:)` that also says where the time went (prefill vs decode).
    public func generateTimed(requests: [GenerationRequest], maxBatch: Int = 16,
                              onText: (@Sendable (_ request: Int, _ sample: Int, _ text: String) -> Void)? = nil) async throws
        -> (generations: [[Generation]], timing: GenerationTiming) {
        for r in requests {
            guard !r.prompt.isEmpty else { throw EngineError.invalidArgument("empty prompt") }
            try checkTokens(r.prompt)
            guard r.options.samples >= 1 else { throw EngineError.invalidArgument("samples must be ≥ 1") }
            guard r.prompt.count < config.contextLength else {
                throw EngineError.invalidArgument("prompt of \(r.prompt.count) tokens fills the context (\(config.contextLength))")
            }
        }
        var scheduler = BatchScheduler(model: self, requests: requests, maxBatch: max(1, maxBatch), onText: onText)
        let generations = try scheduler.run()
        return (generations, scheduler.timing)
    }
}

/// The continuous-batching loop behind `generate(requests:)`: admit → sample every live sequence →
/// retire finished ones → one batched decode step for the rest.
struct BatchScheduler {
    struct Slot {
        let request: Int
        let sample: Int
        let id: SequenceBatch.ID
        var sampler: Sampler
        /// Prompt + generated tokens (repetition penalty window); appended, never rebuilt.
        var history: [Int32]
        var tokens: [Int32] = []
        var decoder = UTF8StreamDecoder()
        var matcher: StopStringMatcher
        let maxTokens: Int
        var finish: Generation.FinishReason? = nil
    }

    let model: GGUFLanguageModel
    let requests: [GenerationRequest]
    let maxBatch: Int
    let onText: (@Sendable (Int, Int, String) -> Void)?
    let batch: SequenceBatch
    var results: [[Generation?]]
    var timing = GenerationTiming()

    init(model: GGUFLanguageModel, requests: [GenerationRequest], maxBatch: Int, onText: (@Sendable (Int, Int, String) -> Void)?) {
        self.model = model
        self.requests = requests
        self.maxBatch = maxBatch
        self.onText = onText
        let reserve = requests.map { min($0.options.maxTokens, model.config.contextLength - $0.prompt.count) }.max() ?? 0
        batch = SequenceBatch(model: model, reserve: max(0, reserve))
        results = requests.map { [Generation?](repeating: nil, count: $0.options.samples) }
    }

    mutating func run() throws -> [[Generation]] {
        var live: [Slot] = []
        var nextRequest = 0
        var chosen: [Int32] = []
        var t = GenerationTiming.now()
        while true {
            // Admit whole requests while their samples fit (a request larger than the batch runs alone).
            var admitted = false
            while nextRequest < requests.count && (live.isEmpty || live.count + requests[nextRequest].options.samples <= maxBatch) {
                if !admitted {
                    let t1 = GenerationTiming.now()
                    timing.decodeSeconds += t1 - t
                    t = t1
                    admitted = true
                }
                try admit(nextRequest, into: &live)
                timing.promptTokens += requests[nextRequest].prompt.count
                nextRequest += 1
            }
            if admitted {
                let t1 = GenerationTiming.now()
                timing.prefillSeconds += t1 - t
                t = t1
            }
            if live.isEmpty { break }
            // Sample every live sequence (independent samplers: in parallel when the batch is big).
            chosen = [Int32](repeating: 0, count: live.count)
            try live.withUnsafeMutableBufferPointer { slots in
                let logits = try slots.map { try batch.logits($0.id) }
                chosen.withUnsafeMutableBufferPointer { out in
                    let box = UncheckedSendable((slots, out, logits))
                    parallelRows(slots.count, slots.count >= 4 ? model.model.threads : 1) { i in
                        let (slots, out, logits) = box.value
                        out[i] = slots[i].sampler.sample(logits[i], history: slots[i].history)
                    }
                }
            }
            var feed: [(id: SequenceBatch.ID, token: Int32)] = []
            feed.reserveCapacity(live.count)
            for i in live.indices {
                accept(chosen[i], slot: &live[i])
                if live[i].finish == nil { feed.append((live[i].id, chosen[i])) }
            }
            for s in live where s.finish != nil { retire(s) }
            live.removeAll { $0.finish != nil }
            try batch.step(feed)
        }
        timing.decodeSeconds += GenerationTiming.now() - t
        return results.map { $0.map { $0! } }
    }

    private mutating func admit(_ r: Int, into live: inout [Slot]) throws {
        let req = requests[r]
        let maxTokens = max(0, min(req.options.maxTokens, model.config.contextLength - req.prompt.count))
        let first = try batch.add(prompt: req.prompt)
        for k in 0..<req.options.samples {
            let id = try k == 0 ? first : batch.fork(first)
            var slot = Slot(request: r, sample: k, id: id, sampler: Sampler(options: req.options, stream: k), history: req.prompt,
                            matcher: StopStringMatcher(stops: req.options.stop), maxTokens: maxTokens)
            slot.history.reserveCapacity(req.prompt.count + maxTokens)
            slot.tokens.reserveCapacity(maxTokens)
            if maxTokens == 0 {
                slot.finish = .length
                retire(slot)
            } else {
                live.append(slot)
            }
        }
    }

    /// Applies a sampled token: end of generation, incremental detokenization, stop strings, length.
    private mutating func accept(_ tok: Int32, slot s: inout Slot) {
        let opts = requests[s.request].options
        if opts.stopAtEndOfGeneration && model.tokenizer.isEndOfGeneration(tok) {
            s.finish = .endOfGeneration
            return
        }
        s.tokens.append(tok)
        s.history.append(tok)
        timing.generatedTokens += 1
        let piece = s.decoder.append(model.tokenizer.tokenBytes(tok, special: false))
        let (release, stopped) = s.matcher.append(piece)
        if !release.isEmpty { onText?(s.request, s.sample, release) }
        if stopped { s.finish = .stopString; return }
        if s.tokens.count >= s.maxTokens { s.finish = .length }
    }

    private mutating func retire(_ slot: Slot) {
        var s = slot
        if s.finish != .stopString {
            let rest = s.matcher.append(s.decoder.finish()).release + s.matcher.finish()
            if !rest.isEmpty { onText?(s.request, s.sample, rest) }
        }
        results[s.request][s.sample] = Generation(text: s.matcher.text, tokens: s.tokens, finishReason: s.finish ?? .length)
        batch.remove(s.id)
    }
}
