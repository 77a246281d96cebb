import Foundation
import Testing
@testable import RewardModels
import RewardCore
import RewardEngine

/// The judge and RLPR score a batch of samples in one engine call (what the server's batcher relies on
/// for a batching gain); the values must be the per-sample ones, and a sample that cannot be
/// judged still fails alone. Real embedded model, like ModelTests.
@Suite(.serialized) struct ModelBatchingTests {
    func scorer() throws -> LikelihoodScorer {
        guard let m = ModelTests.model else {
            throw ConfigError("model \(ModelStore.defaultModel) is not pulled; run `rewardkit models pull \(ModelStore.defaultModel)`")
        }
        return LikelihoodScorer(model: m)
    }

    @Test func batchedEqualsPerSample() async throws {
        let all = [Sample(prompt: .text("What is 2+2?"), response: "4", reference: "4"),
                   Sample(prompt: .text("What is 2+2?"), response: "5", reference: "4"),
                   Sample(prompt: .text("What is 3*3?"), response: "9")]  // no reference
        for mode in [LLMJudge.Mode.reference, .pointwise] {
            let samples = mode == .reference ? all : Array(all.prefix(2))  // pointwise: 5 sequences a sample
            // Separate scorers, so the memo cannot answer the batched call from the per-sample one.
            let batched = try await LLMJudge(mode: mode, scorer: try scorer()).score(samples)
            let each = try await LLMJudge(mode: mode, scorer: try scorer()).scoreEach(samples)
            #expect(batched.count == samples.count && each.count == samples.count)
            for (b, e) in zip(batched, each) {
                #expect(b.error == e.error, "\(mode): \(String(describing: b.error)) vs \(String(describing: e.error))")
                #expect(abs(b.reward - e.reward) < 1e-4, "\(mode): \(b.reward) vs \(e.reward)")  // packing: float rounding only
                #expect(b.passed == e.passed)
            }
            if mode == .reference {
                #expect(batched[2].error == "judge (reference): sample has no 'reference'/'answer'")
                #expect(batched[0].error == nil && batched[1].error == nil)
            } else {
                #expect(batched.allSatisfy { $0.error == nil && $0.reward >= 1 && $0.reward <= 5 })
            }
        }
    }

    @Test func rlprBatchedEqualsPerSample() async throws {
        guard let m = ModelTests.model else { throw ConfigError("model not pulled") }
        let counting = CountingModel(base: m)
        let rlpr = RLPRReward(scorer: LikelihoodScorer(model: counting))
        let samples = [Sample(prompt: .text("What is 2+2?"), response: "2 plus 2 makes \\boxed{", reference: "4"),
                       Sample(prompt: .text("What is 2+2?"), response: "No idea."),  // no reference
                       Sample(prompt: .text("Capital of France?"), response: "The answer is", reference: "Paris")]
        let batched = try await rlpr.score(samples)
        #expect(counting.batchCalls.withLock { $0 } == [2])  // the two scorable samples, one call
        let each = try await RLPRReward(scorer: LikelihoodScorer(model: m)).scoreEach(samples)
        for (b, e) in zip(batched, each) {
            #expect(b.error == e.error)
            #expect(abs(b.reward - e.reward) < 1e-4, "\(b.reward) vs \(e.reward)")
        }
        #expect(batched[1].error == "rlpr: sample has no 'reference'/'answer'")
        #expect(batched[0].error == nil && batched[0].reward > 0 && batched[0].reward <= 1)
    }

    @Test func oneEngineCallForTheBatch() async throws {
        guard let m = ModelTests.model else { throw ConfigError("model not pulled") }
        let counting = CountingModel(base: m)
        let s = LikelihoodScorer(model: counting)
        let judge = LLMJudge(mode: .reference, scorer: s)
        let samples = (0..<6).map { Sample(prompt: .text("What is \($0) + 1?"), response: "\($0 + 1)", reference: "\($0 + 1)") }
        let r = try await judge.score(samples)
        #expect(r.allSatisfy { $0.error == nil })
        #expect(counting.batchCalls.withLock { $0 } == [12])  // one call: 2 verdicts × 6 samples
        _ = try await judge.score(samples)  // the same questions again: answered from the memo
        #expect(counting.batchCalls.withLock { $0 } == [12])
    }
}

/// The real model, counting the sequences of each batched log-probability call.
final class CountingModel: LanguageModel, @unchecked Sendable {
    let base: any LanguageModel
    let batchCalls = LockedBox<[Int]>([])
    init(base: any LanguageModel) { self.base = base }
    var info: ModelInfo { base.info }
    func tokenize(_ text: String, parseSpecial: Bool) -> [Int32] { base.tokenize(text, parseSpecial: parseSpecial) }
    func detokenize(_ ids: [Int32], special: Bool) -> String { base.detokenize(ids, special: special) }
    func renderChat(_ messages: [RewardEngine.ChatMessage], addGenerationPrompt: Bool) -> String {
        base.renderChat(messages, addGenerationPrompt: addGenerationPrompt)
    }
    func logprobs(context: [Int32], continuation: [Int32]) async throws -> ContinuationLogprobs {
        try await logprobs(batch: [(context, continuation)])[0]
    }
    func logprobs(batch: [(context: [Int32], continuation: [Int32])]) async throws -> [ContinuationLogprobs] {
        batchCalls.withLock { $0.append(batch.count) }
        return try await base.logprobs(batch: batch)
    }
    func scoreSequence(_ tokens: [Int32]) async throws -> [PositionScore] { try await base.scoreSequence(tokens) }
    func hiddenStates(tokens: [Int32], at positions: HiddenStatePositions) async throws -> [[Float]] {
        try await base.hiddenStates(tokens: tokens, at: positions)
    }
    func generate(prompt: [Int32], options: GenerationOptions,
                  onText: (@Sendable (_ sample: Int, _ text: String) -> Void)?) async throws -> [Generation] {
        try await base.generate(prompt: prompt, options: options, onText: onText)
    }
}

final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock(); defer { lock.unlock() }
        return body(&value)
    }
}
