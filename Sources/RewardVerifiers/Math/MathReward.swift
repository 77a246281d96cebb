import RewardCore

/// `type: math` — 1 when the response's final answer is equivalent to the reference
/// (`reference`/`answer` field, or `reference_field`), else 0; `format_penalty` when no
/// answer can be extracted from the response. Diagnostics: `pred_answer`, `gold_answer`,
/// `reason`, `undecided`. Usable as a gate (`passed` = correct) and as `correct_from`.
///
/// Options: `format_penalty` (number, default 0), `percent` (lenient|fraction|ignore),
/// `float_rounding` (decimals, default 6), `tolerance` (relative, default 1e-9),
/// `extraction` (list of tiers, each a source name or several joined by `|`, e.g.
/// `["boxed|final_answer", "answer_is", "latex_block|last_number"]`), `reference_field`.
public struct MathReward: SampleReward {
    public var kind: String { "math" }
    public var readsFields: RecordFields? { RecordFields(text: true, keys: referenceField.map { [$0] } ?? []) }
    public let verifier: MathVerifier
    public var formatPenalty: Double
    public var referenceField: String?

    public init(verifier: MathVerifier = MathVerifier(), formatPenalty: Double = 0, referenceField: String? = nil) {
        self.verifier = verifier
        self.formatPenalty = formatPenalty
        self.referenceField = referenceField
    }

    init(options o: inout ComponentOptions) throws {
        let vo = try Self.verifyOptions(&o)
        let penalty = try o.double("format_penalty", default: 0)
        let field = try o.string("reference_field")
        self.init(verifier: MathVerifier(options: vo), formatPenalty: penalty, referenceField: field)
    }

    static func verifyOptions(_ o: inout ComponentOptions) throws -> MathVerifyOptions {
        var vo = MathVerifyOptions()
        vo.percent = MathVerifyOptions.PercentMode(rawValue: try o.choice("percent", MathVerifyOptions.PercentMode.allCases.map(\.rawValue), default: "lenient"))!
        vo.floatRounding = try o.int("float_rounding", default: vo.floatRounding)
        guard (0...15).contains(vo.floatRounding) else { throw ConfigError("reward '\(o.name)' (type \(o.type)): field 'float_rounding' must be 0…15") }
        vo.relativeTolerance = try o.double("tolerance", default: vo.relativeTolerance)
        guard vo.relativeTolerance >= 0, vo.relativeTolerance < 1 else { throw ConfigError("reward '\(o.name)' (type \(o.type)): field 'tolerance' must be in [0, 1)") }
        if let tiers = try o.stringArray("extraction") {
            vo.extractionPriority = try tiers.map { tier in
                try tier.split(separator: "|").map { name in
                    let n = name.trimmingCharacters(in: .whitespaces)
                    guard let s = AnswerSource.named(n) else {
                        throw ConfigError("reward '\(o.name)' (type \(o.type)): field 'extraction': unknown source '\(n)' (known: \(AnswerSource.configNames.joined(separator: ", ")))")
                    }
                    return s
                }
            }
        }
        return vo
    }

    public func score(_ sample: Sample, index: Int, context: ScoringContext) -> RewardResult {
        let gold: String?
        if let f = referenceField {
            switch sample.fields[f] {
            case .string(let s)?: gold = s
            case .number(let d)?: gold = JSONValue.number(d).jsonString
            default: gold = nil
            }
            if gold == nil { return .failure("missing field '\(f)' (the reference answer)") }
        } else {
            gold = sample.reference
            if gold == nil { return .failure("missing field 'reference' (or 'answer'): the gold answer") }
        }
        let v = verifier.verify(gold: gold!, prediction: sample.response)
        var d = JSONObject()
        d["pred_answer"] = v.predAnswer.map { .string($0) } ?? .null
        d["gold_answer"] = v.goldAnswer.map { .string($0) } ?? .null
        if let r = v.reason { d["reason"] = .string(r) }
        if v.undecided { d["undecided"] = .bool(true) }
        let reward = v.correct ? 1.0 : (v.predAnswer == nil ? formatPenalty : 0)
        return RewardResult(reward: reward, passed: v.correct, diagnostics: d)
    }
}

/// `type: math_steps` — per-step arithmetic verdicts on the sample's steps (`steps`
/// field, else the response split into paragraphs). `stepRewards`: 1 for a step whose
/// claims all hold or that has no claim, 0 for a step with a false claim. The reward is
/// `aggregate: min` (default: 0 if any step is wrong, else 1) or `mean` (fraction of
/// steps that are not wrong). No steps → reward 1. Diagnostics: `step_labels`,
/// `first_wrong_step` (0-based, −1 if none), `claims`, `wrong_claims`.
public struct MathStepsReward: SampleReward {
    public enum Aggregate: String, Sendable, CaseIterable { case min, mean }
    public var kind: String { "math_steps" }
    public let checker: StepArithmeticChecker
    public var aggregate: Aggregate

    public init(checker: StepArithmeticChecker = StepArithmeticChecker(), aggregate: Aggregate = .min) {
        self.checker = checker
        self.aggregate = aggregate
    }

    init(options o: inout ComponentOptions) throws {
        let a = try o.choice("aggregate", Aggregate.allCases.map(\.rawValue), default: "min")
        self.init(aggregate: Aggregate(rawValue: a)!)
    }

    public func score(_ sample: Sample, index: Int, context: ScoringContext) -> RewardResult {
        let verdicts = checker.check(steps: sample.effectiveSteps)
        let steps = verdicts.map { $0.isWrong ? 0.0 : 1.0 }
        let reward: Double
        if steps.isEmpty { reward = 1 } else {
            switch aggregate {
            case .min: reward = steps.min()!
            case .mean: reward = steps.reduce(0, +) / Double(steps.count)
            }
        }
        var d = JSONObject()
        d["step_labels"] = .array(verdicts.map { .string($0.label) })
        d["first_wrong_step"] = .number(Double(verdicts.firstIndex { $0.isWrong } ?? -1))
        d["claims"] = .number(Double(verdicts.reduce(0) { $0 + $1.claims.count }))
        let wrong = verdicts.flatMap { $0.claims.filter { !$0.holds } }
        d["wrong_claims"] = .array(wrong.prefix(20).map { .string("\($0.text) (is \($0.computed))") })
        return RewardResult(reward: reward, stepRewards: steps, passed: !verdicts.contains { $0.isWrong }, diagnostics: d)
    }
}

extension AnswerSource {
    static let configNames = ["boxed", "final_answer", "answer_is", "gsm8k", "latex_block", "last_number", "whole"]
    static func named(_ n: String) -> AnswerSource? {
        switch n {
        case "boxed": return .boxed
        case "final_answer": return .finalAnswer
        case "answer_is": return .answerIs
        case "gsm8k": return .gsm8k
        case "latex_block": return .latexBlock
        case "last_number": return .lastNumber
        case "whole": return .whole
        default: return nil
        }
    }
}

/// Registers `math` and `math_steps` reward types.
public func registerMathRewards(into registry: inout RewardRegistry) {
    registry.register("math", summary: "math answer correctness vs reference (extraction + exact equivalence; math-verify compatible)") { o in
        try MathReward(options: &o)
    }
    registry.register("math_steps", summary: "per-step arithmetic check of `a op b = c` claims (GSM8K <<…>>, plain, LaTeX)") { o in
        try MathStepsReward(options: &o)
    }
}
