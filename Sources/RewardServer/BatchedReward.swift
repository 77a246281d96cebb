import RewardCore

/// A spec's reward seen through its batcher, so `ScoringPipeline` (the native API) and
/// the OpenRLHF route share one batched forward path.
struct BatchedReward: RewardFunction {
    let batcher: ModelBatcher
    var kind: String { "batched" }
    func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        try await batcher.score(samples)
    }
}
