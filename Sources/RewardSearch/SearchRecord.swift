import RewardCore
import RewardVerifiers

/// Input and output lines of `rewardkit search`: a problem is read from `id`, `prompt` (or `question` /
/// `problem`) and `reference` (or `answer`); the output keeps the input fields and adds the result.
public enum SearchRecord {
    public static func methods() -> [String: any SearchMethod] {
        ["best_of_n": BestOfN(), "beam": BeamSearch(), "dvts": DVTS(), "rebase": REBASE(), "mcts": MCTS()]
    }

    /// The problem's id (`id`, else "line N").
    public static func id(_ o: JSONObject, line: Int) -> String {
        if let s = o["id"]?.stringValue { return s }
        if let n = o["id"]?.doubleValue { return n.rounded() == n ? String(Int(n)) : String(n) }
        return "line\(line)"
    }

    public static func question(_ o: JSONObject) throws -> String {
        for k in ["prompt", "question", "problem"] {
            if let v = o[k] {
                guard let s = v.stringValue else { throw SearchError("field '\(k)' must be a string, got \(v.typeName)") }
                guard !s.trimmed.isEmpty else { throw SearchError("field '\(k)' is empty") }
                return s
            }
        }
        throw SearchError("no prompt (expected 'prompt', 'question' or 'problem')")
    }

    public static func reference(_ o: JSONObject) -> String? {
        for k in ["reference", "answer"] {
            if let v = o[k] { return v.stringValue ?? (v.isNull ? nil : v.jsonString) }
        }
        return nil
    }

    /// The output line: input fields + `pred`, `completion`, `completions`, `correct` (with a reference),
    /// `stats`, and the compact tree when `trace`.
    public static func output(_ input: JSONObject, id: String, result r: SearchResult, reference: String?, trace: Bool,
                              verifier: MathVerifier = MathVerifier()) -> JSONObject {
        var o = input
        o["id"] = input["id"] ?? .string(id)
        o["method"] = .string(r.method)
        o["pred"] = r.pred.map { .string($0) } ?? .null
        o["completion"] = r.chosen.map { .string(r.completions[$0].text) } ?? .null
        if let ref = reference {
            o["correct"] = .bool(r.chosen.map { verifier.verify(gold: ref, prediction: r.completions[$0].text).correct } ?? false)
        }
        o["completions"] = .array(r.completions.map { c in
            .object(["text": .string(c.text), "answer": c.answer.map { .string($0) } ?? .null,
                     "score": .number(round4(c.score)), "step_scores": .array(c.stepScores.map { .number(round4($0)) }),
                     "complete": .bool(c.complete), "tokens": .number(Double(c.tokens))])
        })
        let s = r.stats
        o["stats"] = .object(["generated_tokens": .number(Double(s.generatedTokens)), "prefill_tokens": .number(Double(s.prefillTokens)),
                              "context_tokens": .number(Double(s.contextTokens)),
                              "unique_prefix_tokens": .number(Double(s.uniquePrefixTokens)), "generator_calls": .number(Double(s.generatorCalls)),
                              "prm_calls": .number(Double(s.prmCalls)), "prm_tokens": .number(Double(s.prmTokens)),
                              "seconds": .number((s.seconds * 1000).rounded() / 1000), "nodes": .number(Double(r.tree.nodes.count - 1))])
        if trace {
            // Compact: [id, parent, depth, tokens, score, finish, terminal, step text].
            o["tree"] = .array(r.tree.nodes.dropFirst().map { n in
                .array([.number(Double(n.id)), .number(Double(n.parent ?? 0)), .number(Double(n.depth)), .number(Double(n.tokens)),
                        n.score.map { .number(round4($0)) } ?? .null, .string(n.finish?.rawValue ?? ""), .bool(n.terminal), .string(n.step)])
            })
        }
        return o
    }

    static func round4(_ x: Double) -> Double { x.isFinite ? (x * 10000).rounded() / 10000 : 0 }
}
