/// One solution's labels, whatever the method: per-step soft values where estimated, hard labels,
/// and the ProcessBench-style first error (−1 = none).
public struct StepLabels: Sendable, Hashable {
    /// Soft value per labeled step (nil where the method did not estimate that step, e.g. steps
    /// OmegaPRM's binary search skipped; their hard label follows from the search).
    public var soft: [Double?]
    public var hard: [Bool]
    /// Rollouts behind each labeled step's value (0 = not rolled out, e.g. the final step, which is
    /// checked directly against the gold answer).
    public var rolloutCounts: [Int]
    public var firstError: Int
    /// Rollouts this method used for the solution (stored ones included, so the count does not depend
    /// on interruptions).
    public var rolloutsUsed: Int
    /// Generated tokens over those rollouts.
    public var generatedTokens: Int

    public init(soft: [Double?], hard: [Bool], rolloutCounts: [Int], firstError: Int, rolloutsUsed: Int, generatedTokens: Int) {
        self.soft = soft; self.hard = hard; self.rolloutCounts = rolloutCounts; self.firstError = firstError
        self.rolloutsUsed = rolloutsUsed; self.generatedTokens = generatedTokens
    }
}
