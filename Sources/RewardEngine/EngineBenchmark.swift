import Foundation

/// Timed engine workloads for `rewardkit bench engine` (wall-clock, best of `repeats`).
public struct EngineBenchmark: Sendable {
    public let model: GGUFLanguageModel

    public init(model: GGUFLanguageModel) { self.model = model }

    /// Deterministic token sequence of length n built from ordinary text (so attention patterns are realistic).
    public func tokens(_ n: Int, variant: Int = 0) -> [Int32] {
        let text = """
            Reward models score candidate answers so that search and training can prefer better ones. \
            A process reward model assigns a score to every reasoning step, while an outcome reward model \
            only judges the final answer. Verifiers for mathematics check answers exactly when possible. \
            In practice the language model computes log-probabilities and hidden states for many sequences, \
            and a small head maps those features to a scalar reward. \(variant) The quick brown fox jumps over the lazy dog. \
            def score(x): return sum(w * f for w, f in zip(weights, features(x)))
            """
        let base = model.tokenize(text, parseSpecial: false)
        var out: [Int32] = []
        var i = variant % base.count
        while out.count < n { out.append(base[i % base.count]); i += 1 }
        return out
    }

    /// The engine's one monotonic clock (GenerationTiming's).
    static func now() -> Double { GenerationTiming.now() }

    /// Prompt tokens/s for one prefill of `n` tokens (logits for the last position only, as generation needs).
    public func prefill(_ n: Int, repeats: Int = 3) -> Double {
        let toks = tokens(n)
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = Self.now()
            model.benchmarkPrefill(toks)
            best = min(best, Self.now() - t0)
        }
        return Double(n) / best
    }

    /// Generated tokens/s for `steps` single-token decode steps after a context of `context` tokens.
    public func decode(context: Int, steps: Int = 64, repeats: Int = 2) -> Double {
        let toks = tokens(context)
        var best = Double.infinity
        for _ in 0..<repeats { best = min(best, model.benchmarkDecode(prompt: toks, steps: steps)) }
        return Double(steps) / best
    }

    /// Sequences/s scoring `count` sequences of `length` tokens (teacher-forced log-probs of all but the first token).
    public func batchedLogprobs(count: Int = 64, length: Int = 256) async throws -> Double {
        let batch = (0..<count).map { i -> (context: [Int32], continuation: [Int32]) in
            let t = tokens(length, variant: i)
            return (Array(t.prefix(1)), Array(t.dropFirst()))
        }
        let t0 = Self.now()
        _ = try await model.logprobs(batch: batch)
        return Double(count) / (Self.now() - t0)
    }

    /// One batched-decode measurement (see `batchedDecode`).
    public struct BatchedDecode: Sendable {
        public let sequences: Int
        public let steps: Int
        /// Generated tokens per second over all sequences (decode steps + sampling; the shared prefill excluded).
        public let tokensPerSecond: Double
        /// Mean wall time of one step (one token for every sequence), seconds.
        public let secondsPerStep: Double
        /// Of which: sampling all sequences, seconds per step.
        public let samplingSecondsPerStep: Double
        /// KV caches + logits rows held by the batch at the end, bytes.
        public let stateBytes: Int
    }

    /// `sequences` samples of one prompt decoded together through `SequenceBatch` for `steps` tokens each:
    /// the prompt is prefilled once and forked, then every step samples each sequence (temperature 0.8,
    /// top-p 0.95, distinct seeds; the sequences of a step in parallel) and advances all of them in one pass. Best of `repeats`.
    public func batchedDecode(prompt: [Int32], sequences: Int, steps: Int = 64, repeats: Int = 2) throws -> BatchedDecode {
        var best: BatchedDecode? = nil
        for _ in 0..<repeats {
            let batch = SequenceBatch(model: model, reserve: steps + 1)
            let first = try batch.add(prompt: prompt)
            var ids = [first]
            for _ in 1..<max(1, sequences) { ids.append(try batch.fork(first)) }
            var samplers = (0..<ids.count).map { Sampler(options: GenerationOptions(temperature: 0.8, topP: 0.95, seed: 7), stream: $0) }
            var sampling = 0.0
            let t0 = Self.now()
            for _ in 0..<steps {
                let ts = Self.now()
                // All sequences of the step sampled in parallel (as `generate(requests:)` does).
                let chosen = try batch.sample(ids, with: &samplers)
                sampling += Self.now() - ts
                let feed = (0..<ids.count).map { (id: ids[$0], token: chosen[$0]) }
                try batch.step(feed)
            }
            let secs = Self.now() - t0
            let r = BatchedDecode(sequences: ids.count, steps: steps, tokensPerSecond: Double(ids.count * steps) / secs,
                                  secondsPerStep: secs / Double(steps), samplingSecondsPerStep: sampling / Double(steps),
                                  stateBytes: batch.bytes)
            if best == nil || r.tokensPerSecond > best!.tokensPerSecond { best = r }
        }
        return best!
    }

    /// Tokens/s of `generate(requests:)` as `rewardkit rollout` drives it: `prompts` chat prompts × `samples`
    /// each, `maxTokens` new tokens (no early stop, so every run generates the same count), batch `maxBatch`.
    /// `endToEnd` counts the whole call (prompt prefills included); `decode` only its decode time, as the
    /// `batchedDecode` rows do.
    public func rollout(prompts: Int, samples: Int, maxTokens: Int = 64, maxBatch: Int = 32) async throws -> (endToEnd: Double, decode: Double) {
        let reqs = (0..<prompts).map { i in
            GenerationRequest(prompt: model.tokenize(model.renderChat([ChatMessage(role: "user", content: "Question \(i): what is \(i + 12) times 7? Explain briefly.")],
                                                                      addGenerationPrompt: true), parseSpecial: true),
                              options: GenerationOptions(maxTokens: maxTokens, temperature: 0.7, topP: 0.95, seed: UInt64(i),
                                                         samples: samples, stopAtEndOfGeneration: false))
        }
        let t0 = Self.now()
        let (gens, timing) = try await model.generateTimed(requests: reqs, maxBatch: maxBatch)
        let secs = Self.now() - t0
        return (Double(gens.joined().reduce(0) { $0 + $1.tokens.count }) / secs, timing.decodeTokensPerSecond)
    }

    /// Resident set size now, bytes.
    public static func currentRSS() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = s.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Peak resident set size of this process, bytes.
    public static func peakRSS() -> Int {
        var ru = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &ru)
        return Int(ru.ru_maxrss) * 1024
    }
}

extension GGUFLanguageModel {
    /// One prefill plus the last position's logits.
    func benchmarkPrefill(_ tokens: [Int32]) {
        let cache = model.makeCache(capacity: tokens.count)
        let h = model.forward(tokens: tokens, segments: [BatchSegment(cache: cache, start: 0, count: tokens.count)])
        let logits = FloatBuffer(count: config.vocabSize, zeroed: false)
        model.logits(hidden: h.pointer + (tokens.count - 1) * config.embeddingLength, rows: 1, out: logits.pointer)
    }

    /// Seconds spent in `steps` greedy decode steps (prefill excluded).
    func benchmarkDecode(prompt: [Int32], steps: Int) -> Double {
        let cache = model.makeCache(capacity: prompt.count + steps + 1)
        let V = config.vocabSize
        let logits = FloatBuffer(count: V, zeroed: false)
        let h = model.forward(tokens: prompt, segments: [BatchSegment(cache: cache, start: 0, count: prompt.count)])
        model.logits(hidden: h.pointer + (prompt.count - 1) * config.embeddingLength, rows: 1, out: logits.pointer)
        let t0 = EngineBenchmark.now()
        for _ in 0..<steps {
            let tok = Sampler.argmax(UnsafeMutableBufferPointer(start: logits.pointer, count: V))
            let hs = model.forward(tokens: [tok], segments: [BatchSegment(cache: cache, start: 0, count: 1)], decodeStep: true)
            model.logits(hidden: hs.pointer, rows: 1, out: logits.pointer, decodeStep: true)
        }
        return EngineBenchmark.now() - t0
    }
}
