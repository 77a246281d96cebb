import RewardCore
import RewardEngine
import RewardModels

/// How a solution's step scores collapse to one score.
public enum SolutionAggregation: String, Sendable, CaseIterable, Codable {
    case last, min, prod, mean

    public func apply(_ s: [Double]) -> Double? {
        switch self {
        case .last: return StepAggregation.last.apply(s)
        case .min: return StepAggregation.min.apply(s)
        case .prod: return StepAggregation.product.apply(s)
        case .mean: return StepAggregation.mean.apply(s)
        }
    }
}

/// Errors that end one problem's search (written as that problem's error record).
public struct SearchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Scores steps with any reward spec whose results carry per-step rewards (`prm`, `math_steps`,
/// `implicit_prm`, `judge`, `step_scores`…). Incremental: a node is scored once, when it is new, and
/// its score is stored on the node; each round scores only the new nodes, all in one batch call.
///
/// A node's score is the last per-step reward the spec returns for the path to it. Scopes:
/// - `.prefix` (any spec): the reward sees the whole path (question + steps so far), as a PRM must;
/// - `.step`: specs whose step rewards depend on the step alone (`math_steps` checks each step's
///   arithmetic by itself) see only the new step, so scoring cost stays linear in depth.
/// A `prm` or `implicit_prm` on the embedded engine reads whole paths but keeps each scored path's KV
/// (`IncrementalStepScores`), so a new node runs only its own step's tokens: linear in depth too.
public final class StepScorer: @unchecked Sendable {
    public enum Scope: String, Sendable { case prefix, step }

    public let reward: any RewardFunction
    public let aggregation: SolutionAggregation
    public let scope: Scope
    /// Counts the tokens a scoring call reads (the PRM's tokenizer when there is one).
    let countTokens: @Sendable (String) -> Int
    /// KV-reusing scorer for a `prm` / `implicit_prm` on the embedded engine (nil: every node's path is scored whole).
    public let incremental: IncrementalStepScores?
    public private(set) var calls = 0
    public private(set) var tokens = 0

    /// `incrementalPRM: false` scores a model PRM's nodes by re-reading their whole paths (search-and-learn's
    /// way; kept for comparison).
    public init(reward: any RewardFunction, aggregation: SolutionAggregation = .last, scope: Scope? = nil,
                incrementalPRM: Bool = true, countTokens: @escaping @Sendable (String) -> Int = { ($0.utf8.count + 3) / 4 }) {
        self.reward = reward
        self.aggregation = aggregation
        self.scope = scope ?? Self.defaultScope(reward)
        self.countTokens = countTokens
        // A spec's node score is its first part's step rewards (`CompositeReward`); a model PRM there scores incrementally.
        let first = (reward as? CompositeReward)?.parts.first?.function ?? reward
        incremental = !incrementalPRM || self.scope != .prefix ? nil
            : (first as? ProcessRewardModel).flatMap { IncrementalStepScores($0) } ?? (first as? ImplicitPRM).flatMap { IncrementalStepScores($0) }
    }

    /// `.step` for specs made only of step-local rewards, `.prefix` otherwise.
    static func defaultScope(_ r: any RewardFunction) -> Scope {
        let local: Set<String> = ["math_steps"]
        if let c = r as? CompositeReward { return c.parts.allSatisfy { local.contains($0.function.kind) } ? .step : .prefix }
        return local.contains(r.kind) ? .step : .prefix
    }

    /// Scores every listed node that has no score yet, in one batch. Throws when the spec gives no
    /// step rewards (it cannot guide a step search) or fails for a node.
    public func score(_ ids: [Int], in tree: inout SearchTree, question: String, reference: String? = nil) async throws {
        let todo = Array(Set(ids.filter { $0 != 0 && tree[$0].score == nil })).sorted()
        guard !todo.isEmpty else { return }
        if let inc = incremental {
            let paths = todo.map { tree.steps($0).map(\.trimmed).map { $0.isEmpty ? "(empty)" : $0 } }
            let t0 = await inc.computedTokens
            let scores = try await Self.mapEngineError { try await inc.lastStepScores(prompt: .text(question), paths: paths) }
            calls += todo.count
            tokens += await inc.computedTokens - t0
            for (id, s) in zip(todo, scores) { tree[id].score = s }
            return
        }
        var samples: [Sample] = []
        for id in todo {
            let steps = scope == .step ? [tree[id].step] : tree.steps(id)
            let response = steps.joined()
            let trimmed = steps.map(\.trimmed).map { $0.isEmpty ? "(empty)" : $0 }
            samples.append(Sample(prompt: .text(question), response: response, reference: reference, steps: trimmed))
            tokens += countTokens(scope == .step ? response : question + response)
        }
        calls += samples.count
        let results = try await reward.score(samples)
        for (k, id) in todo.enumerated() {
            let r = results[k]
            if let e = r.error { throw SearchError("step scorer failed on node \(id): \(e)") }
            guard let s = r.stepRewards, let last = s.last else {
                throw SearchError("reward spec (\(reward.kind)) produced no step scores; use a step-level reward (prm, math_steps, implicit_prm, judge, step_scores)")
            }
            tree[id].score = last
        }
    }

    private static func mapEngineError<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as EngineError { throw SearchError("step scorer failed: \(e)") }
    }

    /// The aggregated score of the solution ending at `id` (its nodes must be scored).
    public func solutionScore(_ id: Int, in tree: SearchTree) -> Double {
        aggregation.apply(tree.stepScores(id)) ?? 0
    }
}
