import Foundation
import RewardCore
import RewardEngine

/// `type: judge` — an LLM judge scored from verdict-token probabilities (METHODS §1.4):
/// - `pointwise`: expected rating Σ p(k)·k over the verdicts "1"…"5";
/// - `pairwise`: P(this response beats the other), averaging both A/B orders to cancel position
///   bias; the other response is the opposite side of a preference pair, or the field `opponent_field`;
/// - `reference`: P("Yes") that the answer matches `reference`.
/// The verdict is the first thing the judge writes in its turn (after an optional `answer_prefix`).
public struct LLMJudge: RewardFunction {
    public enum Mode: String, Sendable, CaseIterable { case pointwise, pairwise, reference }

    public var kind: String { "judge" }
    public let mode: Mode
    public let template: JudgeTemplate
    public let scorer: LikelihoodScorer
    public let verdicts: [String]
    public let values: [Double]
    public let answerPrefix: String
    public let opponentField: String?
    /// Pointwise: map the expected rating to [0, 1].
    public let normalize: Bool

    public init(mode: Mode, scorer: LikelihoodScorer, template: JudgeTemplate? = nil, verdicts: [String]? = nil,
                answerPrefix: String = "", opponentField: String? = nil, normalize: Bool = false) {
        self.mode = mode
        self.scorer = scorer
        switch mode {
        case .pointwise:
            self.template = template ?? .pointwise
            self.verdicts = verdicts ?? ["1", "2", "3", "4", "5"]
        case .pairwise:
            self.template = template ?? .pairwise
            self.verdicts = verdicts ?? ["A", "B"]
        case .reference:
            self.template = template ?? .reference
            self.verdicts = verdicts ?? ["Yes", "No"]
        }
        values = self.verdicts.enumerated().map { Double($0.element) ?? Double($0.offset + 1) }
        self.answerPrefix = answerPrefix
        self.opponentField = opponentField
        self.normalize = normalize
    }

    /// Spec fields: `mode`, `model`, `template` (file), `verdicts`, `answer_prefix`, `opponent_field`, `normalize`.
    public init(options o: inout ComponentOptions) throws {
        let mode = Mode(rawValue: try o.choice("mode", Mode.allCases.map(\.rawValue), default: "pointwise"))!
        let scorer = try ModelRewardSupport.scorer(model: try o.string("model") ?? ModelStore.defaultModel)
        let t = try o.string("template").map { try JudgeTemplate.load(path: $0) }
        let v = try o.stringArray("verdicts")
        if let v, v.count < 2 { throw ConfigError("reward '\(o.name)': verdicts needs at least two entries") }
        if mode == .pairwise, let v, v.count != 2 { throw ConfigError("reward '\(o.name)': pairwise verdicts must be two (for A and B)") }
        self.init(mode: mode, scorer: scorer, template: t, verdicts: v, answerPrefix: try o.string("answer_prefix") ?? "",
                  opponentField: try o.string("opponent_field"), normalize: try o.bool("normalize", default: false))
    }

    /// The judge's context: the template as a user turn, the assistant turn opened, then the prefix.
    func context(_ fill: [String: String]) async -> String {
        await scorer.render([.user(template.render(fill))], generationPrompt: true) + answerPrefix
    }

    public func verdict(_ fill: [String: String]) async throws -> VerdictDistribution {
        let lp = try await scorer.candidateLogprobs(context: await context(fill), candidates: verdicts)
        return VerdictDistribution(verdicts: verdicts, logprobs: lp)
    }

    /// P(first response better) with both presentation orders averaged.
    public func preference(prompt: String, _ a: String, over b: String) async throws -> (p: Double, forward: Double, backward: Double) {
        let f = try await verdict(["prompt": prompt, "response_a": a, "response_b": b]).probabilities[0]
        let r = try await verdict(["prompt": prompt, "response_a": b, "response_b": a]).probabilities[1]
        return ((f + r) / 2, f, r)
    }

    func opponent(_ s: Sample) -> String? {
        if let f = opponentField { return s.fields[f]?.stringValue }
        guard s.fields.contains("chosen"), s.fields.contains("rejected"),
              case .pair(let c, let r)? = try? RecordDecoder.decode(s.fields, line: 0) else { return nil }
        return s.response == c.response ? r.response : c.response
    }

    static func promptText(_ p: Prompt) -> String {
        switch p {
        case .text(let t): return t.trimmingCharacters(in: .whitespacesAndNewlines)
        case .messages(let m): return m.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        }
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        if mode != .pairwise, samples.count > 1, let batched = try await scoreBatched(samples) { return batched }
        return try await scoreEach(samples)
    }

    /// Pointwise and reference modes: every sample's verdict question in one engine call (one
    /// packed forward batch instead of one per sample). Nil when the engine refuses the batch
    /// (e.g. one over-long sample), so the caller scores sample by sample and only that one fails.
    func scoreBatched(_ samples: [Sample]) async throws -> [RewardResult]? {
        var questions: [(context: String, candidates: [String])] = []
        var index = [Int?](repeating: nil, count: samples.count)
        for (i, s) in samples.enumerated() {
            var fill = ["prompt": Self.promptText(s.prompt), "response": s.response]
            if mode == .reference {
                guard let ref = s.reference else { continue }
                fill["reference"] = ref
            }
            index[i] = questions.count
            questions.append((await context(fill), verdicts))
        }
        let lps: [[Double]]
        do { lps = try await scorer.candidateLogprobs(questions: questions) } catch is EngineError { return nil }
        return samples.indices.map { i in
            guard let q = index[i] else { return .failure("judge (reference): sample has no 'reference'/'answer'") }
            return result(VerdictDistribution(verdicts: verdicts, logprobs: lps[q]))
        }
    }

    /// A pointwise or reference verdict as a reward.
    func result(_ d: VerdictDistribution) -> RewardResult {
        if mode == .reference {
            let py = d.probabilities[0]
            return RewardResult(reward: py, passed: py > 0.5, diagnostics: ["verdict_mass": .number(d.mass)])
        }
        var e = d.expectation(values)
        if normalize, let lo = values.min(), let hi = values.max(), hi > lo { e = (e - lo) / (hi - lo) }
        return RewardResult(reward: e, diagnostics: ["verdict": .string(d.mostLikely), "verdict_mass": .number(d.mass)])
    }

    func scoreEach(_ samples: [Sample]) async throws -> [RewardResult] {
        var out: [RewardResult] = []
        for s in samples {
            do {
                let prompt = Self.promptText(s.prompt)
                switch mode {
                case .pointwise:
                    out.append(result(try await verdict(["prompt": prompt, "response": s.response])))
                case .pairwise:
                    guard let other = opponent(s) else {
                        out.append(.failure("judge (pairwise): no opponent response (score preference pairs, or set opponent_field)"))
                        continue
                    }
                    let p = try await preference(prompt: prompt, s.response, over: other)
                    out.append(RewardResult(reward: p.p, diagnostics: ["p_first_order": .number(p.forward), "p_second_order": .number(p.backward),
                                                                       "position_gap": .number(abs(p.forward - p.backward))]))
                case .reference:
                    guard let ref = s.reference else { out.append(.failure("judge (reference): sample has no 'reference'/'answer'")); continue }
                    out.append(result(try await verdict(["prompt": prompt, "response": s.response, "reference": ref])))
                }
            } catch let e as EngineError {
                out.append(.failure("judge: \(e)"))
            }
        }
        return out
    }
}
