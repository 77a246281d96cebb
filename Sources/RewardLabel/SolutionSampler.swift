import RewardSearch

/// `--sample N`: the job's own solutions. A problem's N solutions are sampled from the rendered prompt
/// in one generate call (seeds derive from (job seed, line, "sample", index), like rollouts), stored in
/// the job DB in one transaction, read back, and split into steps on the step delimiter; sampling is
/// part of the job, so a killed job resumes with the same solutions and samples nothing twice.
public struct SolutionSampler: Sendable {
    public let estimator: RolloutEstimator

    public init(estimator: RolloutEstimator) { self.estimator = estimator }

    /// Node name of the sampling step in seed derivation (never a rollout node: those start with "g").
    static let node = "sample"

    /// Sampled solution `index` of `problem` (a problem from the input, without steps), ready to label.
    public func solution(_ problem: LabelProblem, index: Int) async throws -> LabelProblem {
        let p = estimator.parameters
        let store = estimator.store
        var have = try store.samples(line: problem.line)
        let missing = (0..<p.sample).filter { have[$0] == nil }
        if !missing.isEmpty {
            let seeds = missing.map { RolloutKey(solution: problem.line, node: Self.node, index: $0).seed(jobSeed: p.seed) }
            let job = GenerationJob(context: estimator.prompt(for: problem), stop: [], maxTokens: p.maxTokens,
                                    temperature: p.temperature, topP: p.topP, topK: p.topK, seeds: seeds)
            let outcome = try await estimator.generator.generate([job])
            guard let o = outcome.first else { throw SolutionError("generator returned no result for the sampling job") }
            if let e = o.error { throw SolutionError("sampling solutions failed: \(e)") }
            guard o.samples.count == missing.count else {
                throw SolutionError("generator returned \(o.samples.count) samples for \(missing.count) seeds")
            }
            try store.insert(samples: zip(zip(missing, seeds), o.samples).map { m, s in
                LabelJobStore.Sample(line: problem.line, index: m.0, seed: m.1, text: s.text, finish: s.finish.rawValue, tokens: s.completionTokens)
            }, worker: estimator.worker)
            // What is stored is what counts (another worker may have stored this problem's samples first).
            have = try store.samples(line: problem.line)
        }
        guard let sample = have[index] else { throw SolutionError("sample \(index) missing after sampling") }
        var out = problem
        out.sample = index
        out.steps = StepText.split(sample.text)
        guard !out.steps.isEmpty else { throw SolutionError(field: "sample", "sample \(index) has no steps (empty generation)") }
        guard out.steps.count <= LabelProblem.maxSteps else {
            throw SolutionError(field: "sample", "sample \(index) has \(out.steps.count) steps (limit \(LabelProblem.maxSteps))")
        }
        return out
    }
}
