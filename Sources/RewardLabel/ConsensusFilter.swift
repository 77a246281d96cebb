/// Consensus filtering (Qwen, "Lessons of Developing PRMs"): label each solution twice, with MC
/// estimation and with a second annotator that names the earliest wrong step, and keep the solution
/// only when both give the same first error. The default annotator is the exact step-arithmetic
/// checker (`math_steps`); any reward spec with step scores can take its place (`StepAnnotator`).
public struct ConsensusFilter: Sendable {
    public let mc: MonteCarloLabeler
    public let annotator: any StepAnnotator

    public init(mc: MonteCarloLabeler, annotator: any StepAnnotator = ArithmeticAnnotator()) {
        self.mc = mc; self.annotator = annotator
    }

    public struct Result: Sendable, Hashable {
        public var labels: StepLabels
        /// The annotator's first wrong step (−1 = none found).
        public var annotatorFirstError: Int
        public var kept: Bool
    }

    public func label(_ problem: LabelProblem) async throws -> Result {
        let labels = try await mc.label(problem)
        let other = try await annotator.firstError(problem)
        return Result(labels: labels, annotatorFirstError: other, kept: other == labels.firstError)
    }
}
