import Foundation
import RewardCore
import RewardEngine

/// `type: prm` — a trained step head: one score per step, read at the end of each step
/// (`Sample.effectiveSteps`; a response without explicit steps is split on blank lines, and
/// features are read at the "\n\n" that closes each step). Step scores are P(step correct);
/// the solution reward aggregates them (min by default), optionally after PURE min-form credit.
public struct ProcessRewardModel: RewardFunction {
    public var kind: String { "prm" }
    public let checkpoint: RewardModelCheckpoint
    public let extractor: FeatureExtractor
    public let aggregation: StepAggregation
    public let ensemble: EnsembleAggregator
    public let minFormCredit: Bool

    public init(checkpoint: RewardModelCheckpoint, extractor: FeatureExtractor, aggregation: StepAggregation = .min,
                ensemble: EnsembleAggregator = .mean, minFormCredit: Bool = false) throws {
        try checkpoint.verifyBackbone(sha256: extractor.modelSHA256)
        self.checkpoint = checkpoint; self.extractor = extractor; self.aggregation = aggregation
        self.ensemble = ensemble; self.minFormCredit = minFormCredit
    }

    /// Spec fields: `path`, `model`, `aggregation` (min|product|mean|last|geomean|sum|max),
    /// `credit` (none|min_form), `aggregate`/`lambda` for ensembles, `cache`.
    public init(options o: inout ComponentOptions) throws {
        let path = try o.requiredString("path")
        let ckpt = try RewardModelCheckpoint.load(from: path)
        let aggName = try o.choice("aggregation", StepAggregation.allCases.map(\.rawValue), default: "min")
        let ens = try EnsembleAggregator(name: try o.choice("aggregate", EnsembleAggregator.names, default: "mean"), lambda: try o.double("lambda", default: 0.5))
        let credit = try o.choice("credit", ["none", "min_form"], default: "none")
        let ex = try ModelRewardSupport.extractor(model: try o.string("model") ?? ckpt.backboneName, maxTokens: ckpt.maxTokens,
                                                  cache: try o.bool("cache", default: true))
        try self.init(checkpoint: ckpt, extractor: ex, aggregation: StepAggregation(rawValue: aggName)!, ensemble: ens,
                      minFormCredit: credit == "min_form")
    }

    /// P(step correct) per step, ensemble-aggregated, plus each step's member std.
    public func stepScores(_ s: Sample) async throws -> (scores: [Double], std: [Double]) {
        stepScores(features: try await extractor.stepFeatures(prompt: s.prompt, steps: s.effectiveSteps))
    }

    func stepScores(features feats: [[Float]]) -> (scores: [Double], std: [Double]) {
        var scores: [Double] = [], std: [Double] = []
        for f in feats {
            let m = checkpoint.heads.map { PreferenceLoss.sigmoid($0.score(f)) }
            scores.append(ensemble.apply(m))
            std.append(EnsembleStatistics(m).std)
        }
        return (scores, std)
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        // All samples' step features in one batched backbone call; if that fails (one bad sample
        // fails the batch), each sample again on its own so only the bad one gets an error.
        if samples.count > 1, let feats = try? await extractor.stepFeatures(batch: samples.map { ($0.prompt, $0.effectiveSteps) }) {
            return feats.map { result(stepScores(features: $0)) }
        }
        var out: [RewardResult] = []
        for s in samples {
            do {
                out.append(result(try await stepScores(s)))
            } catch let e as EngineError {
                out.append(.failure("prm: \(e)"))
            }
        }
        return out
    }

    func result(_ scored: (scores: [Double], std: [Double])) -> RewardResult {
        let (p, sd) = scored
        guard !p.isEmpty else { return .failure("prm: sample has no steps") }
        let steps = minFormCredit ? StepCredit.minForm(p) : p
        var diag: JSONObject = ["steps": .number(Double(p.count))]
        if let first = p.firstIndex(where: { $0 < 0.5 }) { diag["first_error_step"] = .number(Double(first)) }
        if checkpoint.heads.count > 1 { diag["ensemble_step_std"] = .array(sd.map { .number($0) }) }
        return RewardResult(reward: aggregation.apply(p)!, stepRewards: steps, diagnostics: diag)
    }
}
