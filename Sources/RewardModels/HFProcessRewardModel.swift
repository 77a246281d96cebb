import Foundation
import RewardCore
import RewardEngine

/// `type: hf_prm` — a Hugging Face process reward model on CPU, one score per step:
/// - Qwen2.5-Math-PRM (two-layer head, 2 outputs): system + user prompt, assistant = the steps each
///   followed by the step tag (`<extra_0>`); step score = softmax(logits at the tag)[1].
/// - token-logit PRMs (a CausalLM, e.g. RLHFlow Llama3.1-8B-PRM): each step is a user turn (the first
///   prefixed by the prompt and a space) answered by an assistant "+"; step score = P("+") of the
///   softmax over the "+" / "−" logits at the position that predicts that "+".
/// Spec fields: `path`, `aggregation` (min|product|mean|last|geomean|sum|max; default min),
/// `step_tag` (default `<extra_0>`), `plus`/`minus` (default "+"/"-"), `system`, `max_tokens`, `threads`.
public struct HFProcessRewardModel: RewardFunction {
    public var kind: String { "hf_prm" }
    public let scorer: HFCheckpointScorer
    public let aggregation: StepAggregation
    public let system: String?
    public let stepTag: String
    let tagId: Int32
    let plusId: Int32, minusId: Int32

    public init(scorer: HFCheckpointScorer, aggregation: StepAggregation = .min, system: String? = nil,
                stepTag: String = "<extra_0>", plus: String = "+", minus: String = "-") throws {
        self.scorer = scorer; self.aggregation = aggregation; self.system = system; self.stepTag = stepTag
        switch scorer.model.head {
        case .twoLayer(let n):
            guard n == 2 else { throw ConfigError("path: a \(n)-output head is not a 2-class step head; use type hf_rm") }
            tagId = try scorer.markerId(stepTag)
            plusId = -1; minusId = -1
        case .languageModel:
            guard scorer.hasTemplate else { throw ConfigError("path: a token-logit PRM needs the checkpoint's chat template") }
            tagId = -1
            plusId = try scorer.markerId(plus); minusId = try scorer.markerId(minus)
        case .sequenceClassification:
            throw ConfigError("path: a sequence-classification checkpoint scores whole responses; use type hf_rm")
        }
    }

    public init(options o: inout ComponentOptions) throws {
        let s = try HFRewardOptions.scorer(&o)
        let agg = try o.choice("aggregation", StepAggregation.allCases.map(\.rawValue), default: "min")
        let defaultSystem = s.model.head == .twoLayer(outputs: 2) ? HFRewardModel.qwenMathSystem : nil
        try self.init(scorer: s, aggregation: StepAggregation(rawValue: agg)!, system: try o.string("system") ?? defaultSystem,
                      stepTag: try o.string("step_tag") ?? "<extra_0>", plus: try o.string("plus") ?? "+",
                      minus: try o.string("minus") ?? "-")
    }

    /// Token ids and the positions whose head output scores each step.
    public func tokens(_ s: Sample) throws -> (ids: [Int32], positions: [Int]) {
        let steps = s.effectiveSteps
        guard !steps.isEmpty else { throw EngineError.invalidArgument("sample has no steps") }
        if tagId >= 0 {
            let response = steps.map { $0 + stepTag }.joined()
            let ids = try scorer.encode(scorer.render(HFCheckpointScorer.messages(s, system: system, response: response)))
            let pos = ids.indices.filter { ids[$0] == tagId }
            guard pos.count == steps.count else {
                throw EngineError.invalidArgument("\(pos.count) step tags in the rendered input for \(steps.count) steps (a step contains '\(stepTag)'?)")
            }
            return (ids, pos)
        }
        // Token-logit PRM: one user turn per step, each answered by "+". The position before the k-th
        // assistant "+" is found by rendering the conversation up to that turn.
        var msgs: [RewardEngine.ChatMessage] = system.map { [.system($0)] } ?? []
        let prompt = s.prompt.text
        var pos: [Int] = []
        var ids: [Int32] = []
        for (k, step) in steps.enumerated() {
            msgs.append(.user(k == 0 ? prompt + " " + step : step))
            msgs.append(.assistant("+"))
            ids = try scorer.encode(try scorer.render(msgs))
            guard let p = ids.lastIndex(of: plusId), p > 0 else {
                throw EngineError.invalidArgument("the rendered turn has no '+' token")
            }
            pos.append(p - 1)
        }
        return (ids, pos)
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        var out = [RewardResult?](repeating: nil, count: samples.count)
        var ids: [[Int32]] = [], rows: [[Int]] = [], which: [Int] = []
        for (i, s) in samples.enumerated() {
            do {
                let t = try tokens(s)
                ids.append(t.ids); rows.append(t.positions); which.append(i)
            } catch {
                out[i] = .failure("hf_prm: \(error)")
            }
        }
        if !ids.isEmpty {
            let probs: [[Double]]
            if tagId >= 0 {
                probs = try scorer.model.headOutputs(ids, rows: rows).map { $0.map { Self.softmax2($0[0], $0[1]) } }
            } else {
                probs = try scorer.model.tokenLogits(ids, rows: rows, tokens: [plusId, minusId]).map { $0.map { Self.softmax2($0[1], $0[0]) } }
            }
            for (k, i) in which.enumerated() {
                var diag: JSONObject = ["steps": .number(Double(probs[k].count)), "tokens": .number(Double(ids[k].count))]
                if let first = probs[k].firstIndex(where: { $0 < 0.5 }) { diag["first_error_step"] = .number(Double(first)) }
                out[i] = RewardResult(reward: aggregation.apply(probs[k])!, stepRewards: probs[k], diagnostics: diag)
            }
        }
        return out.map { $0! }
    }

    /// softmax([a, b])[1] computed stably: P(second class).
    static func softmax2(_ a: Float, _ b: Float) -> Double { 1 / (1 + exp(Double(a) - Double(b))) }
}
