/// Math-Shepherd MC estimation: for each step prefix (q, s1..si), k rollouts; soft = fraction that
/// reach the gold answer, hard = soft > threshold. The last prefix is the whole solution: its value
/// is the verifier's verdict on the given answer (rolling out past a finished answer measures nothing).
/// Cost: k·(K−1) rollouts for K steps.
public struct MonteCarloLabeler: Sendable {
    public let estimator: RolloutEstimator

    public init(estimator: RolloutEstimator) { self.estimator = estimator }

    public func label(_ problem: LabelProblem) async throws -> StepLabels {
        let prompt = estimator.prompt(for: problem)
        let K = problem.steps.count
        let nodes = (1..<max(K, 1)).map { PrefixNode(key: RolloutKey.given($0), text: StepText.prefix(problem.steps[0..<$0])) }
        let estimates = try await estimator.estimate(nodes, problem: problem, prompt: prompt)
        let finalCorrect = estimator.reachesGold(StepText.prefix(problem.steps), problem: problem)
        var soft: [Double?] = estimates.map { $0.value }
        soft.append(finalCorrect ? 1 : 0)
        let hard = soft.map { ($0 ?? 0) > estimator.parameters.hardThreshold }
        var counts = estimates.map(\.rollouts.count)
        counts.append(0)
        let used = estimates.reduce(0) { $0 + $1.rollouts.count }
        let tokens = estimates.reduce(0) { $0 + $1.rollouts.reduce(0) { $0 + $1.tokens } }
        return StepLabels(soft: soft, hard: hard, rolloutCounts: counts, firstError: hard.firstIndex(of: false) ?? -1,
                          rolloutsUsed: used, generatedTokens: tokens)
    }
}
