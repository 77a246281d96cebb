import RewardVerifiers

/// Consensus filtering (Qwen, "Lessons of Developing PRMs"): label each solution twice, with MC
/// estimation and with a second annotator that names the earliest wrong step, and keep the solution
/// only when both give the same first error. The second annotator here is the exact step-arithmetic
/// checker (`math_steps`): a step is wrong when one of its stated computations does not hold.
public struct ConsensusFilter: Sendable {
    public let mc: MonteCarloLabeler
    public let checker = StepArithmeticChecker()

    public init(mc: MonteCarloLabeler) { self.mc = mc }

    public struct Result: Sendable, Hashable {
        public var labels: StepLabels
        /// The arithmetic checker's first wrong step (−1 = none found).
        public var annotatorFirstError: Int
        public var kept: Bool
    }

    /// First step with a false arithmetic claim, −1 if none.
    public func annotatorFirstError(_ steps: [String]) -> Int {
        checker.check(steps: steps).firstIndex(where: \.isWrong) ?? -1
    }

    public func label(_ problem: LabelProblem) async throws -> Result {
        let labels = try await mc.label(problem)
        let other = annotatorFirstError(problem.steps)
        return Result(labels: labels, annotatorFirstError: other, kept: other == labels.firstError)
    }
}
