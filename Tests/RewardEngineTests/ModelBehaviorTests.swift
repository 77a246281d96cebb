import Foundation
import Testing
import RewardEngine

@Suite("Model behaviour: masks, caches, APIs")
struct ModelBehaviorTests {
    /// Causal mask: a prefix scores the same whether or not more tokens follow it.
    @Test func causalMaskIgnoresFutureTokens() async throws {
        let m = try TestModel.get()
        let full = m.tokenize("The cat sat on the mat because it was warm and sunny outside today.", parseSpecial: false)
        let a = try await m.scoreSequence(Array(full.prefix(6)))
        let b = try await m.scoreSequence(full)
        for i in 0..<a.count {
            #expect(abs(a[i].logprob - b[i].logprob) < 1e-3)
            #expect(a[i].top1 == b[i].top1)
        }
        let hA = try await m.hiddenStates(tokens: Array(full.prefix(6)), at: .last)
        let hB = try await m.hiddenStates(tokens: full, at: .indices([5]))
        #expect(zip(hA[0], hB[0]).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    /// KV-cache decode (one token at a time) reproduces the batched prefill's predictions: exactly with
    /// f32 decode, and nearly always with the int8 decode kernel.
    @Test func incrementalDecodeMatchesPrefill() async throws {
        for (m, minAgree) in [(try TestModel.exact(), 1.0), (try TestModel.get(), 0.8)] {
            let prompt = m.tokenize(m.renderChat([.user("Name three fruits and say why they are healthy.")]), parseSpecial: true)
            let g = try await m.generate(prompt: prompt, options: GenerationOptions(maxTokens: 24, stopAtEndOfGeneration: false), onText: nil)
            // Without this an empty generation would pass the agreement check below (0 ≥ 0).
            try #require(g[0].tokens.count == 24)
            let scores = try await m.scoreSequence(prompt + g[0].tokens)
            var agree = 0
            for (i, t) in g[0].tokens.enumerated() where scores[prompt.count - 1 + i].top1 == t { agree += 1 }
            #expect(Double(agree) >= minAgree * Double(g[0].tokens.count), "\(agree)/\(g[0].tokens.count)")
        }
        // The KV cache holds what prefill would compute (exact mode): restarting greedy decoding from a
        // prefill of the prompt plus the first 12 generated tokens continues with the same 12 tokens.
        let m = try TestModel.exact()
        let prompt = m.tokenize(m.renderChat([.user("Name three fruits and say why they are healthy.")]), parseSpecial: true)
        let whole = try await m.generate(prompt: prompt, options: GenerationOptions(maxTokens: 24, stopAtEndOfGeneration: false), onText: nil)[0].tokens
        let resumed = try await m.generate(prompt: prompt + whole.prefix(12), options: GenerationOptions(maxTokens: 12, stopAtEndOfGeneration: false), onText: nil)[0].tokens
        #expect(Array(whole.dropFirst(12)) == resumed)
    }

    @Test func logprobsSumMeanAndBatchConsistency() async throws {
        let m = try TestModel.get()
        let r = try await m.logprobs(context: "The capital of France is", continuation: " Paris.")
        #expect(r.tokens.count == r.tokenLogprobs.count && r.tokens.count >= 2)
        #expect(abs(r.sum - r.tokenLogprobs.reduce(0, +)) < 1e-9)
        #expect(abs(r.mean - r.sum / Double(r.tokens.count)) < 1e-9)
        #expect(r.tokenLogprobs.allSatisfy { $0 <= 0 })
        let wrong = try await m.logprobs(context: "The capital of France is", continuation: " Berlin.")
        #expect(r.sum > wrong.sum)
        let ctx = m.tokenize("Q: 2+2=? A:", parseSpecial: false)
        let batch = try await m.logprobs(batch: [(ctx, m.tokenize(" 4", parseSpecial: false)), (m.tokenize("The capital of France is", parseSpecial: true), r.tokens), (ctx, m.tokenize(" 5", parseSpecial: false))])
        #expect(abs(batch[1].sum - r.sum) < 1e-3)
        #expect(batch[0].sum > batch[2].sum)
    }

    @Test func hiddenStatesShapes() async throws {
        let m = try TestModel.get()
        let t = m.tokenize("one two three four", parseSpecial: false)
        let all = try await m.hiddenStates(tokens: t, at: .all)
        #expect(all.count == t.count && all.allSatisfy { $0.count == m.info.hiddenSize })
        let last = try await m.hiddenStates(tokens: t, at: .last)
        #expect(last[0] == all[t.count - 1])
        await #expect(throws: EngineError.self) { try await m.hiddenStates(tokens: t, at: .indices([99])) }
    }

    @Test func seededSamplingIsReproducibleAndSamplesShareThePrompt() async throws {
        let m = try TestModel.get()
        let opts = GenerationOptions(maxTokens: 16, temperature: 0.9, topK: 40, topP: 0.95, minP: 0.05, repetitionPenalty: 1.1, seed: 42, samples: 3)
        let a = try await m.chat([.user("Tell me a story.")], options: opts)
        let b = try await m.chat([.user("Tell me a story.")], options: opts)
        #expect(a == b)
        #expect(a.count == 3)
        #expect(Set(a.map(\.tokens)).count > 1)
        // Sample i of a batch equals the same stream generated alone (shared prompt cache is exact).
        var single = opts
        single.samples = 1
        let alone = try await m.chat([.user("Tell me a story.")], options: single)
        #expect(alone[0].tokens == a[0].tokens)
    }

    @Test func streamingCallbackConcatenatesToText() async throws {
        let m = try TestModel.get()
        final class Collector: @unchecked Sendable {
            let lock = NSLock()
            var text = ""
            func add(_ s: String) { lock.lock(); text += s; lock.unlock() }
        }
        let c = Collector()
        let g = try await m.chat([.user("Write one sentence with an emoji.")], options: GenerationOptions(maxTokens: 40, temperature: 0.7, seed: 3)) { _, piece in c.add(piece) }
        #expect(c.text == g[0].text)
    }

    @Test func stopStringsCutGeneration() async throws {
        let m = try TestModel.get()
        let base = try await m.chat([.user("Count from 1 to 10 separated by commas.")], options: GenerationOptions(maxTokens: 40))
        let text = base[0].text
        guard let r = text.range(of: "4") else { Issue.record("unexpected output \(text)"); return }
        let stopped = try await m.chat([.user("Count from 1 to 10 separated by commas.")], options: GenerationOptions(maxTokens: 40, stop: ["4"]))
        #expect(stopped[0].finishReason == .stopString)
        #expect(stopped[0].text == String(text[..<r.lowerBound]))
    }
}
