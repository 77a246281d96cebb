import Foundation
import RewardCore
import RewardEngine

/// `type: hf_rm` — a Hugging Face scalar reward model on CPU: `*ForSequenceClassification`
/// (Skywork-Reward(-V2), GRM-ft, …; raw logit at the last non-pad token) or Qwen2.5-Math-RM's
/// two-layer head. Spec fields: `path` (checkpoint directory), `label` (which logit, default 0),
/// `system` (system prompt; Qwen2.5-Math-RM defaults to its card's), `max_tokens`, `threads`.
public struct HFRewardModel: RewardFunction {
    public var kind: String { "hf_rm" }
    public let scorer: HFCheckpointScorer
    public let label: Int
    public let system: String?

    /// The system prompt Qwen2.5-Math-RM / -PRM were trained with (model card).
    public static let qwenMathSystem = "Please reason step by step, and put your final answer within \\boxed{}."

    public init(scorer: HFCheckpointScorer, label: Int = 0, system: String? = nil) throws {
        switch scorer.model.head {
        case .sequenceClassification(let n):
            guard label >= 0 && label < n else { throw ConfigError("label: \(label) outside the head's \(n) outputs") }
        case .twoLayer(let n):
            guard n == 1 else { throw ConfigError("path: a \(n)-output two-layer head is a process reward model; use type hf_prm") }
            guard label == 0 else { throw ConfigError("label: the two-layer head has one output") }
        case .languageModel:
            throw ConfigError("path: a CausalLM checkpoint is not a scalar reward model; use type hf_prm (token-logit PRM)")
        }
        self.scorer = scorer
        self.label = label
        self.system = system
    }

    public init(options o: inout ComponentOptions) throws {
        let s = try HFRewardOptions.scorer(&o)
        let defaultSystem = s.model.head == .twoLayer(outputs: 1) ? Self.qwenMathSystem : nil
        try self.init(scorer: s, label: try o.int("label", default: 0), system: try o.string("system") ?? defaultSystem)
    }

    /// Token ids of one sample as the model sees it.
    public func tokens(_ s: Sample) throws -> [Int32] {
        try scorer.encode(scorer.render(HFCheckpointScorer.messages(s, system: system, response: s.response)))
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        var out = [RewardResult?](repeating: nil, count: samples.count)
        var ids: [[Int32]] = [], which: [Int] = []
        for (i, s) in samples.enumerated() {
            do {
                ids.append(try tokens(s)); which.append(i)
            } catch {
                out[i] = .failure("hf_rm: \(error)")
            }
        }
        if !ids.isEmpty {
            let logits = try scorer.model.sequenceScores(ids)
            for (k, i) in which.enumerated() {
                var diag: JSONObject = ["tokens": .number(Double(ids[k].count))]
                if logits[k].count > 1 { diag["logits"] = .array(logits[k].map { .number(Double($0)) }) }
                out[i] = RewardResult(reward: Double(logits[k][label]), diagnostics: diag)
            }
        }
        return out.map { $0! }
    }
}
