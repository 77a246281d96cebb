import Foundation
import RewardCore
import RewardEngine

/// A Hugging Face reward checkpoint ready to score records: the engine model with its head plus the
/// directory's tokenizer and chat template. Records are rendered as the model cards prescribe: the
/// conversation (prompt turns + the response as the assistant turn) through the checkpoint's chat
/// template, a leading BOS string stripped, then tokenized with the tokenizer's own special tokens
/// (one BOS for Llama 3, none for Qwen); without a template, raw `prompt + response`.
public final class HFCheckpointScorer: @unchecked Sendable {
    public let directory: String
    public let model: HFModel
    public let text: HFTokenizerBundle
    public let maxTokens: Int

    /// `weights`: a parsed `HFModel.weightMode` — compact | dense | automatic (exact f32, the parity mode) or
    /// q8 / q7 (opt-in speed modes; see `HFModel.Precision`); nil = the default (compact, exact).
    public init(directory: String, threads: Int? = nil, maxTokens: Int? = nil,
                weights: (memory: GGUFLanguageModel.WeightMemory, precision: HFModel.Precision)? = nil) throws {
        self.directory = directory
        model = try HFModel(directory: directory, threads: threads, weightMemory: weights?.memory,
                            precision: weights?.precision ?? .exact)
        text = try HFTokenizerBundle.load(directory: URL(fileURLWithPath: directory))
        self.maxTokens = min(maxTokens ?? model.config.contextLength, model.config.contextLength)
    }

    public var hasTemplate: Bool { text.chatTemplate != nil }

    /// The conversation of a sample with `response` as the final assistant turn.
    static func messages(_ s: Sample, system: String?, response: String) -> [RewardEngine.ChatMessage] {
        var m = ChatRendering.messages(s.prompt)
        if let system, !m.contains(where: { $0.role == "system" }) { m.insert(.system(system), at: 0) }
        return m + [.assistant(response)]
    }

    /// Rendered text of a conversation (template, else the contents concatenated: raw prompt + response).
    func render(_ messages: [RewardEngine.ChatMessage]) throws -> String {
        guard hasTemplate else { return messages.map(\.content).joined() }
        var s = try text.render(messages: messages, addGenerationPrompt: false)
        if let bos = text.bosToken, !bos.isEmpty, s.hasPrefix(bos) { s.removeFirst(bos.count) }
        return s
    }

    /// Token ids of a rendered text, with the post-processor's special tokens; refused past `maxTokens`.
    func encode(_ rendered: String) throws -> [Int32] {
        let ids = text.tokenizer.encode(rendered, addSpecialTokens: true)
        guard !ids.isEmpty else { throw EngineError.invalidArgument("empty input after rendering") }
        guard ids.count <= maxTokens else {
            throw EngineError.invalidArgument("\(ids.count) tokens exceed max_tokens \(maxTokens)")
        }
        return ids
    }

    /// The single id of a marker string (a step tag such as `<extra_0>`, or "+"): the last id of its encoding.
    func markerId(_ marker: String) throws -> Int32 {
        if let id = text.tokenizer.tokenId(marker) { return id }
        guard let last = text.tokenizer.encode(marker, addSpecialTokens: false).last else {
            throw ConfigError("'\(marker)' encodes to no token")
        }
        return last
    }
}

/// Reads the common `hf_rm` / `hf_prm` spec fields and loads the checkpoint.
enum HFRewardOptions {
    static func scorer(_ o: inout ComponentOptions) throws -> HFCheckpointScorer {
        let path = try o.requiredString("path")
        let threads = try o.int("threads")
        let maxTokens = try o.int("max_tokens")
        var weights: (memory: GGUFLanguageModel.WeightMemory, precision: HFModel.Precision)?
        if let w = try o.string("weights") {
            guard let mode = HFModel.weightMode(w) else {
                throw ConfigError("weights: '\(w)' is not one of \(HFModel.weightModeNames)")
            }
            weights = mode
        }
        do {
            return try HFCheckpointScorer(directory: path, threads: threads, maxTokens: maxTokens, weights: weights)
        } catch let e as EngineError {
            throw ConfigError("path: \(e)")
        }
    }
}

/// Registers `hf_rm` and `hf_prm` (Hugging Face checkpoint directories scored by the engine).
public func registerHFRewards(into r: inout RewardRegistry) {
    r.register("hf_rm", summary: "Hugging Face reward model (path: checkpoint dir; *ForSequenceClassification or Qwen2.5-Math-RM)") { o in
        try HFRewardModel(options: &o)
    }
    r.register("hf_prm", summary: "Hugging Face process reward model (path: checkpoint dir; Qwen2.5-Math-PRM or a +/- token PRM)") { o in
        try HFProcessRewardModel(options: &o)
    }
}
