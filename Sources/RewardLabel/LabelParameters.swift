/// Everything that determines a job's labels. Part of the job fingerprint: a DB made with other
/// parameters is refused rather than silently mixed.
public struct LabelParameters: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable { case mc, omegaprm, consensus }

    public var method: Method
    /// Rollouts per prefix (Math-Shepherd N, OmegaPRM k).
    public var rollouts: Int = 8
    public var maxTokens: Int = 256
    public var temperature: Float = 0.7
    public var topP: Float = 1
    public var topK: Int = 0
    public var seed: UInt64 = 0
    /// Hard label = soft > threshold. Default 0 (Math-Shepherd's "any rollout reaches the gold answer"),
    /// not OpenR's 0.5: with a weak completer (SmolLM2-135M solves few GSM8K problems even from a
    /// correct prefix) a 0.5 cut would call almost every step wrong.
    public var hardThreshold: Double = 0
    /// Text placed before the problem in the user turn.
    public var instruction: String = "Solve the problem step by step. Separate steps with a blank line. End with \"The answer is N.\""
    /// Name of the generator backend (model); a different model is a different job.
    public var generator: String = ""

    // OmegaPRM (paper = openr v2 defaults).
    public var alpha: Double = 0.5
    public var beta: Double = 0.9
    public var lengthScale: Double = 500
    public var cPuct: Double = 0.125
    /// Rollouts per question (the given solution's binary search always completes).
    public var rolloutBudget: Int = 200
    /// Binary searches per question, the given solution's included.
    public var maxSearches: Int = 20
    /// Consensus: the second annotator's identity (`StepAnnotator.name`).
    public var annotator: String = "math_steps"
    /// Solutions sampled per problem before labeling (0 = label the input's given steps).
    public var sample: Int = 0

    public init(method: Method) { self.method = method }

    /// Canonical text of the parameters (stored in the DB and hashed into the fingerprint).
    public var canonical: String {
        var parts = ["method=\(method.rawValue)", "rollouts=\(rollouts)", "max_tokens=\(maxTokens)",
                     "temperature=\(temperature)", "top_p=\(topP)", "top_k=\(topK)", "seed=\(seed)",
                     "hard_threshold=\(hardThreshold)", "instruction=\(instruction)", "generator=\(generator)"]
        // Only when set, so jobs made before `--sample` existed keep their fingerprint.
        if sample > 0 { parts.append("sample=\(sample)") }
        if method == .consensus && annotator != "math_steps" { parts.append("annotator=\(annotator)") }
        if method == .omegaprm {
            parts += ["alpha=\(alpha)", "beta=\(beta)", "L=\(lengthScale)", "c_puct=\(cPuct)",
                      "rollout_budget=\(rolloutBudget)", "max_searches=\(maxSearches)"]
        }
        return parts.joined(separator: "\n")
    }
}
