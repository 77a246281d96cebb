import Foundation
import RewardEngine

/// `Generator` on the embedded engine. All samples of all jobs of one call are decoded as one continuous
/// batch (`SequenceBatch`, up to `maxBatch` sequences per forward pass; a job's samples fork its context's
/// KV). Contexts are prefilled through a `PrefixCache`: a context that extends a text this generator
/// returned reuses the exact token ids and KV of the sample that produced it, so the second step of a
/// beam computes only the tokens it adds (plus the previous step's last sampled token, which decoding
/// never fed).
///
/// Sample k of a job draws from `Sampler(seed: job.seeds[k])`; batched decode is exact, so a sample's
/// tokens do not depend on `maxBatch` or on which other jobs share the call. Calls are serialized.
///
/// `retokenizeContexts`: every context is tokenized from its text, never continued from the sampled ids of a
/// text this generator returned. A sample's ids need not be the tokenizer's own spelling of its text (the model
/// may emit "\n" "\n" where the tokenizer writes "\n\n"), so without this a context's ids — and what is
/// sampled from it — depend on whether the text was generated in this process. Label jobs need the same ids
/// fresh and after a resume (the sampled ids are not stored); KV is still shared through token prefixes.
public final class LocalGenerator: Generator, @unchecked Sendable {
    public let model: GGUFLanguageModel
    public let maxBatch: Int
    public let retokenizeContexts: Bool
    private let lock = NSLock()
    private let cache: PrefixCache

    /// `cacheBytes`: budget for KV kept between calls (computed contexts and finished samples), LRU.
    public init(model: GGUFLanguageModel, maxBatch: Int = 16, cacheBytes: Int = 1 << 30, retokenizeContexts: Bool = false) {
        self.model = model
        self.maxBatch = max(1, maxBatch)
        self.retokenizeContexts = retokenizeContexts
        cache = PrefixCache(batch: SequenceBatch(model: model, reserve: 0), budgetBytes: cacheBytes)
    }

    public var name: String { "local:\(model.info.name)" }

    public func renderPrompt(system: String?, user: String) -> String? {
        var m: [ChatMessage] = []
        if let s = system { m.append(.system(s)) }
        m.append(.user(user))
        return model.renderChat(m, addGenerationPrompt: true)
    }

    /// Bytes of KV held by the prefix cache between calls.
    public var cachedBytes: Int { lock.withLock { cache.bytes } }
    /// Sequences held by the prefix cache.
    public var cachedSequences: Int { lock.withLock { cache.entries.count } }

    /// Drops every cached prefix.
    public func clearCache() { lock.withLock { cache.clear() } }

    public func generate(_ jobs: [GenerationJob]) async throws -> [GenerationOutcome] {
        try lock.withLock { try run(jobs) }
    }

    // MARK: the batch loop

    private struct Slot {
        let job: Int
        let sample: Int
        let id: SequenceBatch.ID
        var sampler: Sampler
        var tokens: [Int32] = []
        var decoder = UTF8StreamDecoder()
        var matcher: StopStringMatcher
        var decoded = ""
        let maxTokens: Int
        var finish: GenerationFinish? = nil
        var logprobSum: Double = 0
    }

    private struct Prepared {
        var tokens: [Int32]
        var maxTokens: Int
        var context: SequenceBatch.ID? = nil
        var admitted = 0
    }

    private func bytes(kvPositions n: Int) -> Int { model.kvBytes(tokens: max(n, 16)) + model.config.vocabSize * 4 }

    private func run(_ jobs: [GenerationJob]) throws -> [GenerationOutcome] {
        let ctxLen = model.config.contextLength
        var outcomes = jobs.map { _ in GenerationOutcome(samples: [], prefillTokens: 0, contextTokens: 0) }
        var samples: [[GeneratedText?]] = jobs.map { [GeneratedText?](repeating: nil, count: $0.seeds.count) }
        var prepared: [Prepared?] = []
        for (j, job) in jobs.enumerated() {
            let toks = cache.tokens(for: job.context, tokenizer: model.tokenizer)
            outcomes[j].contextTokens = toks.count
            if toks.isEmpty {
                outcomes[j].error = "empty context"
            } else if toks.count >= ctxLen {
                outcomes[j].error = "context of \(toks.count) tokens fills the model's context length (\(ctxLen))"
            } else if job.maxTokens < 0 {
                outcomes[j].error = "maxTokens must be ≥ 0 (got \(job.maxTokens))"
            }
            prepared.append(outcomes[j].error == nil && !job.seeds.isEmpty
                            ? Prepared(tokens: toks, maxTokens: min(job.maxTokens, ctxLen - toks.count)) : nil)
        }
        // Finished samples' KV joins the cache only after the call, so which entry a context hits never
        // depends on batch timing (results stay independent of maxBatch).
        var finishedKV: [(id: SequenceBatch.ID, tokens: [Int32], bytes: Int)] = []
        var queue: [(job: Int, sample: Int)] = []
        for (j, p) in prepared.enumerated() where p != nil { for k in jobs[j].seeds.indices { queue.append((j, k)) } }
        var next = 0
        var live: [Slot] = []
        var committed = false
        defer {
            for s in live { cache.batch.remove(s.id) }
            if !committed { for f in finishedKV { cache.batch.remove(f.id) } }
            for p in prepared { if let c = p?.context { cache.unpin(c) } }
        }

        func retire(_ s: Slot) {
            let job = jobs[s.job]
            var slot = s
            var text: String
            if slot.finish == .stop {
                let kept = slot.matcher.text
                let rest = slot.decoded.unicodeScalars.dropFirst(kept.unicodeScalars.count)
                let stop = job.stop.first { !$0.isEmpty && rest.starts(with: $0.unicodeScalars) } ?? ""
                text = kept + stop
            } else {
                _ = slot.matcher.append(slot.decoder.finish())
                _ = slot.matcher.finish()
                text = slot.matcher.text
            }
            let ctxTokens = prepared[s.job]!.tokens
            // Which of the sampled tokens exactly spell a prefix of the returned text (a stop string may end
            // inside the last token); the uncovered tail is re-tokenized if a later context extends the text.
            let tb = Array(text.utf8)
            var covered = 0, offset = 0
            for t in slot.tokens {
                let b = model.tokenizer.tokenBytes(t, special: false)
                guard offset + b.count <= tb.count, tb[offset..<(offset + b.count)].elementsEqual(b) else { break }
                offset += b.count
                covered += 1
            }
            while offset < tb.count && covered > 0 && tb[offset] & 0xC0 == 0x80 {
                covered -= 1
                offset -= model.tokenizer.tokenBytes(slot.tokens[covered], special: false).count
            }
            let remainder = String(decoding: tb[offset...], as: UTF8.self)
            // Not remembered when contexts are retokenized: with no remembered text, every context takes
            // the cache's tokenize-from-text path.
            if !retokenizeContexts {
                cache.remember(text: job.context + text, tokens: ctxTokens + slot.tokens[..<covered], remainder: remainder)
            }
            // The sequence's KV holds every token fed: all of them after end-of-generation, all but the
            // last otherwise (the last was sampled, never fed).
            let fed = slot.finish == .end ? slot.tokens.count : max(0, slot.tokens.count - 1)
            if fed > 0 {
                finishedKV.append((slot.id, ctxTokens + slot.tokens[..<fed], bytes(kvPositions: ctxTokens.count + slot.maxTokens)))
            } else {
                cache.batch.remove(slot.id)
            }
            let n = slot.tokens.count
            samples[s.job][s.sample] = GeneratedText(
                text: text, finish: slot.finish ?? .length, completionTokens: n,
                meanLogprob: job.wantLogprobs && n > 0 ? slot.logprobSum / Double(n) : nil)
        }

        while true {
            // Admit samples in job order; a job's context is prefilled (or found) when its first sample joins.
            while next < queue.count && live.count < maxBatch {
                let (j, k) = queue[next]
                next += 1
                let job = jobs[j]
                if prepared[j]!.context == nil {
                    let (id, computed) = try context(for: prepared[j]!.tokens)
                    prepared[j]!.context = id
                    outcomes[j].prefillTokens = computed
                }
                let ctx = prepared[j]!.context!
                let maxTokens = prepared[j]!.maxTokens
                cache.batch.reserve = maxTokens
                let id = try cache.batch.fork(ctx)
                prepared[j]!.admitted += 1
                if prepared[j]!.admitted == job.seeds.count { cache.unpin(ctx); prepared[j]!.context = nil }
                let opts = GenerationOptions(maxTokens: maxTokens, temperature: job.temperature, topK: job.topK,
                                             topP: job.topP, seed: job.seeds[k], stop: job.stop)
                var slot = Slot(job: j, sample: k, id: id, sampler: Sampler(options: opts, stream: 0),
                                matcher: StopStringMatcher(stops: job.stop), maxTokens: maxTokens)
                if maxTokens == 0 {
                    slot.finish = .length
                    retire(slot)
                } else {
                    live.append(slot)
                }
            }
            if live.isEmpty { break }
            var feed: [(id: SequenceBatch.ID, token: Int32)] = []
            feed.reserveCapacity(live.count)
            for i in live.indices {
                let logits = try cache.batch.logits(live[i].id)
                let lse = jobs[live[i].job].wantLogprobs ? Self.logSumExp(logits) : 0
                let t = live[i].sampler.sample(logits, history: [])
                if jobs[live[i].job].wantLogprobs { live[i].logprobSum += Double(logits[Int(t)]) - lse }
                accept(t, slot: &live[i])
                if live[i].finish == nil { feed.append((live[i].id, t)) }
            }
            for s in live where s.finish != nil { retire(s) }
            live.removeAll { $0.finish != nil }
            try cache.batch.step(feed)
        }
        for (id, tokens, b) in finishedKV { cache.insert(id, tokens: tokens, bytes: b) }
        committed = true
        cache.evict()
        for j in jobs.indices where outcomes[j].error == nil {
            outcomes[j].samples = samples[j].map { $0! }
        }
        return outcomes
    }

    /// A cached sequence whose KV holds exactly `tokens` (pinned until its samples are forked), and how
    /// many tokens had to be computed for it.
    private func context(for tokens: [Int32]) throws -> (SequenceBatch.ID, Int) {
        let b = cache.batch
        let id: SequenceBatch.ID
        var computed = tokens.count
        if let hit = cache.longestPrefix(of: tokens) {
            if hit.tokens.count == tokens.count {
                cache.pin(hit.id)
                return (hit.id, 0)
            }
            computed = tokens.count - hit.tokens.count
            b.reserve = computed  // exact capacity: the extension must not regrow the copied KV
            id = try b.fork(hit.id)
            try b.extend(id, tokens: Array(tokens[hit.tokens.count...]))
        } else {
            b.reserve = 0
            id = try b.add(prompt: tokens)
        }
        cache.insert(id, tokens: tokens, bytes: bytes(kvPositions: tokens.count), pinned: true)
        cache.evict()
        return (id, computed)
    }

    /// End of generation, incremental detokenization, stop strings, length.
    private func accept(_ t: Int32, slot s: inout Slot) {
        if model.tokenizer.isEndOfGeneration(t) { s.finish = .end; return }
        s.tokens.append(t)
        let piece = s.decoder.append(model.tokenizer.tokenBytes(t, special: false))
        s.decoded += piece
        if s.matcher.append(piece).stopped { s.finish = .stop; return }
        if s.tokens.count >= s.maxTokens { s.finish = .length }
    }

    private static func logSumExp(_ x: UnsafeMutableBufferPointer<Float>) -> Double {
        var m = -Float.infinity
        for v in x where v > m { m = v }
        var s: Double = 0
        for v in x { s += Foundation.exp(Double(v - m)) }
        return Double(m) + Foundation.log(s)
    }
}
