import Foundation
import RewardCore

/// Training examples read from any format RecordDecoder understands:
/// - preference pairs (TRL, RewardBench, HH-RLHF) → `.pair`;
/// - pointwise `{prompt, response, label}` (label bool/number; also `is_correct`, `correct`) → `.point`;
/// - step data → `.steps`: ProcessBench (`label` = first wrong step: earlier steps 1, that step 0,
///   later steps unlabeled; −1 = all correct) and TRL stepwise (`labels` per completion, bool or soft).
public enum TrainingRecord: Sendable {
    case pair(prompt: Prompt, chosen: String, rejected: String)
    case point(prompt: Prompt, response: String, label: Double)
    case steps(prompt: Prompt, steps: [String], labels: [Double?])

    public var prompt: Prompt {
        switch self {
        case .pair(let p, _, _), .point(let p, _, _), .steps(let p, _, _): return p
        }
    }
}

public enum TrainingRecords {
    /// Reads up to `limit` records. Lines that cannot be used are counted and skipped (the
    /// first few messages are kept for the summary).
    public static func load(path: String, limit: Int? = nil, wantSteps: Bool = false) throws -> (records: [TrainingRecord], skipped: Int, errors: [String]) {
        let input = try RecordInput(path: path)
        var out: [TrainingRecord] = []
        var skipped = 0
        var errors: [String] = []
        func skip(_ m: String) { skipped += 1; if errors.count < 5 { errors.append(m) } }
        while true {
            let batch = try input.nextBatch(max: 1024)
            if batch.isEmpty { break }
            for line in batch {
                if let l = limit, out.count >= l { return (out, skipped, errors) }
                do {
                    let o = try line.object()
                    if let r = try record(o, line: line.number, wantSteps: wantSteps) { out.append(r) } else { skip("line \(line.number): no label") }
                } catch {
                    skip("\(error)")
                }
            }
        }
        return (out, skipped, errors)
    }

    static func label(_ v: JSONValue?) -> Double? {
        switch v {
        case .bool(let b)?: return b ? 1 : 0
        case .number(let d)?: return d
        case .string(let s)?: return ["true", "yes", "correct"].contains(s.lowercased()) ? 1 : (["false", "no", "incorrect"].contains(s.lowercased()) ? 0 : Double(s))
        default: return nil
        }
    }

    public static func record(_ o: JSONObject, line: Int, wantSteps: Bool) throws -> TrainingRecord? {
        switch try RecordDecoder.decode(o, line: line) {
        case .pair(let c, let r):
            return .pair(prompt: c.prompt, chosen: c.response, rejected: r.response)
        case .single(let s):
            if let steps = s.steps, wantSteps {
                if o.contains("completions"), let ls = o["labels"]?.arrayValue {
                    return .steps(prompt: s.prompt, steps: steps, labels: steps.indices.map { $0 < ls.count ? label(ls[$0]) : nil })
                }
                if let first = o["label"]?.intValue {
                    let labels: [Double?] = steps.indices.map { i in
                        first < 0 || i < first ? 1 : (i == first ? 0 : nil)
                    }
                    return .steps(prompt: s.prompt, steps: steps, labels: labels)
                }
                if let ls = o["step_labels"]?.arrayValue {
                    return .steps(prompt: s.prompt, steps: steps, labels: steps.indices.map { $0 < ls.count ? label(ls[$0]) : nil })
                }
                return nil
            }
            guard let y = label(o["label"] ?? o["is_correct"] ?? o["correct"]) else { return nil }
            return .point(prompt: s.prompt, response: s.response, label: min(max(y, 0), 1))
        }
    }
}
