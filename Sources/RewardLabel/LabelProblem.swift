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
    /// Which of the problem's sampled solutions this is (`--sample`); nil = the input's given steps.
    public var sample: Int?

    /// The solution's key in the job store: the input line, or line·`samplesPerLine` + sample index.
    public var key: Int { sample.map { Self.sampleKey(line: line, sample: $0) } ?? line }

    /// Key space per input line when solutions are sampled (bounds `--sample`).
    public static let samplesPerLine = 4096
    public static func sampleKey(line: Int, sample: Int) -> Int { line * samplesPerLine + sample }

    /// "line 3" or "line 3 sample 2": how errors name the solution.
    public var location: String { "line \(line)" + (sample.map { " sample \($0)" } ?? "") }

    public init(line: Int, id: String, prompt: String, steps: [String], reference: String, humanLabel: Int? = nil) {
        self.line = line; self.id = id; self.prompt = prompt; self.steps = steps
        self.reference = reference; self.humanLabel = humanLabel
    }

    /// Reads `prompt` (or `problem`/`question`), `steps` (array of strings), gold in `reference`
    /// (or `answer`/`gold`), optional `id` and `label`. Errors name the line and field.
    /// `requireSteps: false` (solutions are sampled) ignores `steps`.
    public static func parse(_ o: JSONObject, line: Int, requireSteps: Bool = true) throws(RecordError) -> LabelProblem {
        guard let prompt = o["prompt"]?.stringValue ?? o["problem"]?.stringValue ?? o["question"]?.stringValue else {
            throw RecordError(line: line, field: "prompt", "missing (expected a string 'prompt', 'problem' or 'question')")
        }
        var steps: [String] = []
        if requireSteps {
            guard let rawSteps = o["steps"] else { throw RecordError(line: line, field: "steps", "missing") }
            steps = try parseSteps(rawSteps, line: line)
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
        return LabelProblem(line: line, id: id, prompt: prompt, steps: steps, reference: reference,
                            humanLabel: requireSteps ? o["label"]?.intValue : nil)
    }

    /// Given steps: a non-empty array of non-empty strings, at most `maxSteps`.
    static func parseSteps(_ rawSteps: JSONValue, line: Int) throws(RecordError) -> [String] {
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
        return steps
    }

    /// Hard limit so one record cannot make a job explode (K·k rollouts for MC).
    public static let maxSteps = 64
}

import Foundation
