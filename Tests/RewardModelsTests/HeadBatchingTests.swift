import Foundation
import Testing
@testable import RewardModels
import RewardCore
import RewardEngine

/// `orm` and `prm` read a merged batch's features in one batched backbone call (real model);
/// the rewards equal per-sample scoring within float rounding, and a failing batch falls back
/// to per-sample calls.
@Suite(.serialized) struct HeadBatchingTests {
    func backbone() throws -> GGUFLanguageModel {
        guard let m = ModelTests.model else { throw ConfigError("model \(ModelStore.defaultModel) is not pulled") }
        return m
    }

    func checkpoint(_ kind: RewardModelCheckpoint.Kind, pooling: Pooling, width: Int) -> RewardModelCheckpoint {
        // Two random MLP members: an ensemble, with non-trivial (non-linear) rewards.
        let heads = [RewardHead(kind: .mlp, inputSize: width, hiddenSize: 16, seed: 7), RewardHead(kind: .mlp, inputSize: width, hiddenSize: 16, seed: 8)]
        return RewardModelCheckpoint(kind: kind, backboneName: "smollm2", backboneSHA256: "test", pooling: pooling, maxTokens: 128,
                                     heads: heads, training: .null, data: .null, metrics: .null)
    }

    func extractor(_ m: any LanguageModel) -> FeatureExtractor {
        FeatureExtractor(model: m, modelSHA256: "test", cache: nil, maxTokens: 128)
    }

    static let samples = [Sample(prompt: .text("What is 2+2?"), response: "It is 4."),
                          Sample(prompt: .text("What is 2+2?"), response: "Five, I think, since two and two make five."),
                          Sample(prompt: .text("Name a fruit."), response: "Banana."),
                          Sample(prompt: .text("Add 2 and 3."), response: "x", steps: ["We add 2 and 3.", "So 2 + 3 = 5.", "Done."])]

    @Test func ormBatchedEqualsPerSample() async throws {
        let m = try backbone()
        for pooling in [Pooling.last, .mean] {
            let counting = CountingHiddenModel(base: m)
            let orm = try OutcomeRewardModel(checkpoint: checkpoint(.orm, pooling: pooling, width: m.info.hiddenSize), extractor: extractor(counting))
            let batched = try await orm.score(Self.samples)
            #expect(counting.batchCalls.withLock { $0 } == [Self.samples.count], "one engine call for the batch")
            #expect(counting.singleCalls.withLock { $0 } == 0)
            let single = try OutcomeRewardModel(checkpoint: checkpoint(.orm, pooling: pooling, width: m.info.hiddenSize), extractor: extractor(m))
            for (s, b) in zip(Self.samples, batched) {
                let e = try await single.score([s])[0]
                #expect(b.error == nil && e.error == nil)
                #expect(abs(b.reward - e.reward) < 1e-4, "\(pooling): \(b.reward) vs \(e.reward)")
                #expect(b.reward != 0)
            }
        }
    }

    @Test func prmBatchedEqualsPerSample() async throws {
        let m = try backbone()
        let counting = CountingHiddenModel(base: m)
        let prm = try ProcessRewardModel(checkpoint: checkpoint(.prm, pooling: .last, width: m.info.hiddenSize), extractor: extractor(counting))
        let batched = try await prm.score(Self.samples)
        #expect(counting.batchCalls.withLock { $0 } == [Self.samples.count])
        let single = try ProcessRewardModel(checkpoint: checkpoint(.prm, pooling: .last, width: m.info.hiddenSize), extractor: extractor(m))
        for (s, b) in zip(Self.samples, batched) {
            let e = try await single.score([s])[0]
            #expect(b.error == nil && e.error == nil)
            #expect(b.stepRewards?.count == s.effectiveSteps.count && e.stepRewards?.count == b.stepRewards?.count)
            for (x, y) in zip(b.stepRewards ?? [], e.stepRewards ?? []) { #expect(abs(x - y) < 1e-4, "\(x) vs \(y)") }
            #expect(abs(b.reward - e.reward) < 1e-4)
        }
        #expect(batched[3].stepRewards?.count == 3)
    }

    @Test func failingBatchFallsBackPerSample() async throws {
        let m = try backbone()
        let failing = CountingHiddenModel(base: m, failBatches: true)
        let orm = try OutcomeRewardModel(checkpoint: checkpoint(.orm, pooling: .last, width: m.info.hiddenSize), extractor: extractor(failing))
        let r = try await orm.score(Self.samples)
        #expect(failing.batchCalls.withLock { $0 } == [Self.samples.count])
        #expect(failing.singleCalls.withLock { $0 } == Self.samples.count)
        let single = try OutcomeRewardModel(checkpoint: checkpoint(.orm, pooling: .last, width: m.info.hiddenSize), extractor: extractor(m))
        for (s, b) in zip(Self.samples, r) {
            let e = try await single.score([s])[0]
            #expect(b.error == nil && abs(b.reward - e.reward) < 1e-9)
        }
    }
}

/// The real model, counting hidden-state calls (batched: sequences per call); optionally
/// failing every batched call, to exercise the per-sample fallback.
final class CountingHiddenModel: BatchedHiddenStates, @unchecked Sendable {
    let base: GGUFLanguageModel
    let failBatches: Bool
    let batchCalls = LockedBox<[Int]>([])
    let singleCalls = LockedBox<Int>(0)
    init(base: GGUFLanguageModel, failBatches: Bool = false) { self.base = base; self.failBatches = failBatches }
    var info: ModelInfo { base.info }
    func tokenize(_ text: String, parseSpecial: Bool) -> [Int32] { base.tokenize(text, parseSpecial: parseSpecial) }
    func detokenize(_ ids: [Int32], special: Bool) -> String { base.detokenize(ids, special: special) }
    func renderChat(_ messages: [RewardEngine.ChatMessage], addGenerationPrompt: Bool) -> String {
        base.renderChat(messages, addGenerationPrompt: addGenerationPrompt)
    }
    func logprobs(context: [Int32], continuation: [Int32]) async throws -> ContinuationLogprobs {
        try await base.logprobs(context: context, continuation: continuation)
    }
    func logprobs(batch: [(context: [Int32], continuation: [Int32])]) async throws -> [ContinuationLogprobs] {
        try await base.logprobs(batch: batch)
    }
    func scoreSequence(_ tokens: [Int32]) async throws -> [PositionScore] { try await base.scoreSequence(tokens) }
    func hiddenStates(tokens: [Int32], at positions: HiddenStatePositions) async throws -> [[Float]] {
        singleCalls.withLock { $0 += 1 }
        return try await base.hiddenStates(tokens: tokens, at: positions)
    }
    func hiddenStates(batch: [(tokens: [Int32], positions: HiddenStatePositions)]) async throws -> [[[Float]]] {
        batchCalls.withLock { $0.append(batch.count) }
        if failBatches { throw EngineError.invalidArgument("batch refused (test)") }
        return try await base.hiddenStates(batch: batch)
    }
    func generate(prompt: [Int32], options: GenerationOptions,
                  onText: (@Sendable (_ sample: Int, _ text: String) -> Void)?) async throws -> [Generation] {
        try await base.generate(prompt: prompt, options: options, onText: onText)
    }
}
