import RewardCore
import RewardVerifiers

/// The second opinion in consensus filtering: names a solution's first wrong step (−1 = none).
public protocol StepAnnotator: Sendable {
    /// Identifies the annotator in the job fingerprint and in output records.
    var name: String { get }
    func firstError(_ problem: LabelProblem) async throws -> Int
}

/// The exact step-arithmetic checker (`math_steps`): a step is wrong when one of its stated
/// computations does not hold. No model, so it costs nothing next to the MC rollouts.
public struct ArithmeticAnnotator: StepAnnotator {
    public let checker = StepArithmeticChecker()
    public init() {}
    public var name: String { "math_steps" }

    public func firstError(_ problem: LabelProblem) async throws -> Int {
        checker.check(steps: problem.steps).firstIndex(where: \.isWrong) ?? -1
    }
}

/// Any reward spec whose results carry per-step scores (`prm`, `hf_prm`, `judge`, `implicit_prm`,
/// `math_steps`…): the first error is the first step whose score is below `threshold`.
public struct RewardSpecAnnotator: StepAnnotator {
    public let reward: any RewardFunction
    public let threshold: Double
    public let name: String

    /// `name` should identify the spec's content (the CLI uses the file's path and hash).
    public init(reward: any RewardFunction, threshold: Double, name: String) {
        self.reward = reward; self.threshold = threshold; self.name = name
    }

    public func firstError(_ problem: LabelProblem) async throws -> Int {
        let sample = Sample(prompt: .text(problem.prompt), response: StepText.prefix(problem.steps),
                            reference: problem.reference, steps: problem.steps)
        guard let r = try await reward.score([sample]).first else { throw SolutionError(field: "annotator", "reward spec returned no result") }
        if let e = r.error { throw SolutionError(field: "annotator", "reward spec failed: \(e)") }
        guard let s = r.stepRewards else {
            throw SolutionError(field: "annotator", "reward spec (\(reward.kind)) gives no step scores; use a step-level reward (prm, hf_prm, judge, math_steps)")
        }
        guard s.count == problem.steps.count else {
            throw SolutionError(field: "annotator", "reward spec gave \(s.count) step scores for \(problem.steps.count) steps")
        }
        return s.firstIndex { $0 < threshold } ?? -1
    }
}
