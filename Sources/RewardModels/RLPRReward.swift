import Foundation
import RewardCore
import RewardEngine

/// `type: rlpr` — RLPR's probability reward: the mean per-token probability the model assigns to
/// the reference answer when it follows the response's own reasoning. The response's answer is
/// cut at the last answer marker (`\boxed{`, `<answer>`, `####`, "The answer is", "Answer:") and
/// the reference is scored in its place; a response without a marker gets "\nAnswer: " appended.
public struct RLPRReward: RewardFunction {
    public var kind: String { "rlpr" }
    public let scorer: LikelihoodScorer
    public let markers: [String]

    public static let defaultMarkers = ["\\boxed{", "<answer>", "####", "The answer is", "the answer is", "Answer:", "A:"]

    public init(scorer: LikelihoodScorer, markers: [String] = RLPRReward.defaultMarkers) {
        self.scorer = scorer
        self.markers = markers
    }

    /// Spec fields: `model`, `markers`.
    public init(options o: inout ComponentOptions) throws {
        self.init(scorer: try ModelRewardSupport.scorer(model: try o.string("model") ?? ModelStore.defaultModel),
                  markers: try o.stringArray("markers") ?? Self.defaultMarkers)
    }

    /// Reasoning prefix up to and including the last answer marker.
    public func reasoning(_ response: String) -> String { Self.reasoning(response, markers: markers) }

    public static func reasoning(_ response: String, markers: [String]) -> String {
        var best: Range<String.Index>?
        for m in markers {
            if let r = response.range(of: m, options: .backwards), best == nil || r.lowerBound > best!.lowerBound { best = r }
        }
        if let best { return String(response[..<best.upperBound]) + (response[best].last == " " || response[best].last == "{" ? "" : " ") }
        return response + "\nAnswer: "
    }

    /// (context, continuation) tokens: prompt + the response's reasoning, then the reference.
    func tokens(_ s: Sample, reference: String) async -> (context: [Int32], continuation: [Int32]) {
        let ctxText = await scorer.render(ChatRendering.messages(s.prompt), generationPrompt: true) + reasoning(s.response)
        return (await scorer.tokenize(ctxText, special: true), await scorer.tokenize(reference, special: false))
    }

    public func probabilities(_ s: Sample, reference: String) async throws -> [Double] {
        let (ctx, cont) = await tokens(s, reference: reference)
        return try await scorer.tokenLogprobs(context: ctx, continuation: cont).map { Foundation.exp($0) }
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        if samples.count > 1, let batched = try await scoreBatched(samples) { return batched }
        return try await scoreEach(samples)
    }

    /// Every sample's reference in one engine call (one packed forward batch, which is what the
    /// server's request merging needs); nil when the engine refuses the batch (e.g. one over-long
    /// sample), so the caller scores sample by sample and only that sample fails.
    func scoreBatched(_ samples: [Sample]) async throws -> [RewardResult]? {
        var batch: [(context: [Int32], continuation: [Int32])] = []
        var out = [RewardResult?](repeating: nil, count: samples.count)
        var index = [Int?](repeating: nil, count: samples.count)
        for (i, s) in samples.enumerated() {
            guard let ref = s.reference, !ref.isEmpty else { out[i] = .failure("rlpr: sample has no 'reference'/'answer'"); continue }
            let t = await tokens(s, reference: ref)
            guard !t.continuation.isEmpty else { out[i] = .failure("rlpr: reference tokenizes to nothing"); continue }
            index[i] = batch.count
            batch.append(t)
        }
        let lps: [[Double]]
        do { lps = try await scorer.tokenLogprobs(batch: batch) } catch is EngineError { return nil }
        return samples.indices.map { i in out[i] ?? Self.result(lps[index[i]!].map { Foundation.exp($0) }) }
    }

    static func result(_ p: [Double]) -> RewardResult {
        RewardResult(reward: p.reduce(0, +) / Double(p.count), diagnostics: ["reference_tokens": .number(Double(p.count)), "min_token_p": .number(p.min()!)])
    }

    func scoreEach(_ samples: [Sample]) async throws -> [RewardResult] {
        var out: [RewardResult] = []
        for s in samples {
            guard let ref = s.reference, !ref.isEmpty else { out.append(.failure("rlpr: sample has no 'reference'/'answer'")); continue }
            do {
                let p = try await probabilities(s, reference: ref)
                guard !p.isEmpty else { out.append(.failure("rlpr: reference tokenizes to nothing")); continue }
                out.append(Self.result(p))
            } catch let e as EngineError {
                out.append(.failure("rlpr: \(e)"))
            }
        }
        return out
    }
}
