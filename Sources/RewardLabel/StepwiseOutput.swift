import RewardCore

/// The output line for a labeled solution: TRL stepwise supervision `{prompt, completions, labels}`
/// plus soft values, rollout counts and the ProcessBench-style `first_error`. Key order is fixed so
/// two runs of one job write identical bytes.
public enum StepwiseOutput {
    public static func record(problem: LabelProblem, method: LabelParameters.Method, labels: StepLabels,
                              extra: [JSONMember] = []) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(problem.id)
        o["prompt"] = .string(problem.prompt)
        o["completions"] = .array(problem.steps.prefix(labels.hard.count).map { .string($0) })
        o["labels"] = .array(labels.hard.map { .bool($0) })
        o["soft_labels"] = .array(labels.soft.map { v -> JSONValue in v.map { JSONValue.number(round6($0)) } ?? .null })
        o["rollouts"] = .array(labels.rolloutCounts.map { .number(Double($0)) })
        o["first_error"] = .number(Double(labels.firstError))
        o["rollouts_used"] = .number(Double(labels.rolloutsUsed))
        o["generated_tokens"] = .number(Double(labels.generatedTokens))
        o["method"] = .string(method.rawValue)
        o["reference"] = .string(problem.reference)
        if let h = problem.humanLabel { o["human_label"] = .number(Double(h)) }
        if let i = problem.sample { o["sample"] = .number(Double(i)) }
        for m in extra { o[m.key] = m.value }
        return .object(o)
    }

    public static func error(line: Int, id: String, message: String) -> JSONValue {
        .object(JSONObject(["line": .number(Double(line)), "id": .string(id), "error": .string(message)]))
    }

    static func round6(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
