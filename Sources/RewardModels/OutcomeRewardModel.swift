import Foundation
import RewardCore
import RewardEngine

/// `type: orm` — a trained outcome reward model: frozen backbone features → head(s).
/// With several members the reward is the chosen ensemble aggregate and member disagreement
/// is reported in diagnostics (`ensemble_std`, …).
public struct OutcomeRewardModel: RewardFunction {
    public var kind: String { "orm" }
    public let checkpoint: RewardModelCheckpoint
    public let extractor: FeatureExtractor
    public let aggregator: EnsembleAggregator
    /// Report σ(r) instead of the raw logit (pointwise verifiers: P(correct)).
    public let probability: Bool

    public init(checkpoint: RewardModelCheckpoint, extractor: FeatureExtractor, aggregator: EnsembleAggregator = .mean, probability: Bool = false) throws {
        try checkpoint.verifyBackbone(sha256: extractor.modelSHA256)
        self.checkpoint = checkpoint
        self.extractor = extractor
        self.aggregator = aggregator
        self.probability = probability
    }

    /// Spec fields: `path` (checkpoint dir), optional `model` (backbone override, hash-checked),
    /// `aggregate` (mean|wco|uwo|brme), `lambda`, `output` (logit|probability), `cache` (bool).
    public init(options o: inout ComponentOptions) throws {
        let path = try o.requiredString("path")
        let ckpt = try RewardModelCheckpoint.load(from: path)
        let agg = try EnsembleAggregator(name: try o.choice("aggregate", EnsembleAggregator.names, default: "mean"), lambda: try o.double("lambda", default: 0.5))
        let prob = try o.choice("output", ["logit", "probability"], default: "logit") == "probability"
        let ex = try ModelRewardSupport.extractor(model: try o.string("model") ?? ckpt.backboneName, maxTokens: ckpt.maxTokens,
                                                  cache: try o.bool("cache", default: true))
        try self.init(checkpoint: ckpt, extractor: ex, aggregator: agg, probability: prob)
    }

    public func memberScores(_ s: Sample) async throws -> [Double] {
        members(try await extractor.pooled(prompt: s.prompt, response: s.response, pooling: checkpoint.pooling))
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        // All samples' features in one batched backbone call; if that fails (one bad sample fails
        // the batch), each sample again on its own so only the bad one gets an error.
        if samples.count > 1, let feats = try? await extractor.pooled(batch: samples.map { ($0.prompt, $0.response) }, pooling: checkpoint.pooling) {
            return feats.map { result(members: members($0)) }
        }
        var out: [RewardResult] = []
        out.reserveCapacity(samples.count)
        for s in samples {
            do {
                out.append(result(members: try await memberScores(s)))
            } catch let e as EngineError {
                out.append(.failure("orm: \(e)"))
            }
        }
        return out
    }

    func members(_ feature: [Float]) -> [Double] { checkpoint.heads.map { $0.score(feature) } }

    func result(members m: [Double]) -> RewardResult {
        let post: (Double) -> Double = probability ? { PreferenceLoss.sigmoid($0) } : { $0 }
        let r = post(aggregator.apply(m))
        var diag = JSONObject()
        if m.count > 1 { diag = EnsembleStatistics(m.map(post)).diagnostics }
        return RewardResult(reward: r, diagnostics: diag)
    }
}
