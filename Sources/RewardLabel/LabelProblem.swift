import RewardCore

/// One solution to label: a problem, its steps (without delimiters) and the gold answer.
public struct LabelProblem: Sendable, Hashable {
    /// Position in the input (1-based line number); the job's solution key.
    public var line: Int
    public var id: String
    public var prompt: String
    public var steps: [String]
    public var reference: String
    /// ProcessBench-style human first-error label when the input has one (passed through to the output).
    public var humanLabel: Int?

    public init(line: Int, id: String, prompt: String, steps: [String], reference: String, humanLabel: Int? = nil) {
        self.line = line; self.id = id; self.prompt = prompt; self.steps = steps
        self.reference = reference; self.humanLabel = humanLabel
    }

    /// Reads `prompt` (or `problem`/`question`), `steps` (array of strings), gold in `reference`
    /// (or `answer`/`gold`), optional `id` and `label`. Errors name the line and field.
    public static func parse(_ o: JSONObject, line: Int) throws(RecordError) -> LabelProblem {
        guard let prompt = o["prompt"]?.stringValue ?? o["problem"]?.stringValue ?? o["question"]?.stringValue else {
            throw RecordError(line: line, field: "prompt", "missing (expected a string 'prompt', 'problem' or 'question')")
        }
        guard let rawSteps = o["steps"] else { throw RecordError(line: line, field: "steps", "missing") }
        guard let arr = rawSteps.arrayValue else {
            throw RecordError(line: line, field: "steps", "expected an array of strings, found \(rawSteps.typeName)")
        }
        var steps: [String] = []
        for (i, s) in arr.enumerated() {
            guard let t = s.stringValue else { throw RecordError(line: line, field: "steps[\(i)]", "expected a string, found \(s.typeName)") }
            let trimmed = t.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw RecordError(line: line, field: "steps[\(i)]", "empty step") }
            steps.append(trimmed)
        }
        guard !steps.isEmpty else { throw RecordError(line: line, field: "steps", "no steps") }
        guard steps.count <= LabelProblem.maxSteps else {
            throw RecordError(line: line, field: "steps", "\(steps.count) steps (limit \(LabelProblem.maxSteps))")
        }
        let refValue = o["reference"] ?? o["answer"] ?? o["gold"]
        let reference: String
        switch refValue {
        case .string(let s)?: reference = s
        case .number(let d)?: reference = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case nil: throw RecordError(line: line, field: "reference", "missing gold answer")
        case let v?: throw RecordError(line: line, field: "reference", "expected a string or number, found \(v.typeName)")
        }
        let id = o["id"]?.stringValue ?? o["id"]?.intValue.map { String($0) } ?? "line\(line)"
        return LabelProblem(line: line, id: id, prompt: prompt, steps: steps, reference: reference, humanLabel: o["label"]?.intValue)
    }

    /// Hard limit so one record cannot make a job explode (K·k rollouts for MC).
    public static let maxSteps = 64
}

import Foundation
