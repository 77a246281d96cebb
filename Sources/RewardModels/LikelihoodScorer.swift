import Foundation
import RewardCore
import RewardEngine

/// Serialized access to one language model for likelihood-based rewards (judges, RLPR, FLR,
/// implicit PRM), with a memo of verdict distributions: a pairwise judge scoring both sides of a
/// pair asks the same (prompt, A, B) question twice, and the second answer is free.
public actor LikelihoodScorer {
    public let model: any LanguageModel
    private var memo: [String: [Double]] = [:]
    public private(set) var forwardSequences = 0

    public init(model: any LanguageModel) { self.model = model }

    /// Log-probability of each candidate continuation after `context` (text; special tokens parsed
    /// in the context, not in the candidates). Batched in one engine call.
    public func candidateLogprobs(context: String, candidates: [String]) async throws -> [Double] {
        let key = context + "\u{1}" + candidates.joined(separator: "\u{2}")
        if let m = memo[key] { return m }
        let ctx = model.tokenize(context, parseSpecial: true)
        let batch = candidates.map { (context: ctx, continuation: model.tokenize($0, parseSpecial: false)) }
        let r = try await model.logprobs(batch: batch)
        forwardSequences += batch.count
        let out = r.map(\.sum)
        remember(key, out)
        return out
    }

    /// Several (context, candidates) questions in ONE engine call: every candidate sequence of
    /// every question is packed into the same forward batches, so a server that merges
    /// concurrent requests gets one batched forward instead of one per sample.
    public func candidateLogprobs(questions: [(context: String, candidates: [String])]) async throws -> [[Double]] {
        var out = [[Double]?](repeating: nil, count: questions.count)
        var batch: [(context: [Int32], continuation: [Int32])] = []
        var misses: [(index: Int, key: String, count: Int)] = []
        for (i, q) in questions.enumerated() {
            let key = q.context + "\u{1}" + q.candidates.joined(separator: "\u{2}")
            if let m = memo[key] { out[i] = m; continue }
            let ctx = model.tokenize(q.context, parseSpecial: true)
            batch += q.candidates.map { (context: ctx, continuation: model.tokenize($0, parseSpecial: false)) }
            misses.append((i, key, q.candidates.count))
        }
        if !batch.isEmpty {
            let r = try await model.logprobs(batch: batch)
            forwardSequences += batch.count
            var at = 0
            for m in misses {
                let lp = r[at..<at + m.count].map(\.sum)
                at += m.count
                remember(m.key, lp)
                out[m.index] = lp
            }
        }
        return out.map { $0! }
    }

    /// The memo is for repeats within a run (both sides of a pair); a long-running server sees
    /// endless distinct questions, so it is bounded by starting over when full.
    private func remember(_ key: String, _ value: [Double]) {
        if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
        memo[key] = value
    }
    static let memoLimit = 4096

    /// Per-token log-probabilities of `continuation` (already tokenized) after `context` tokens.
    public func tokenLogprobs(context: [Int32], continuation: [Int32]) async throws -> [Double] {
        forwardSequences += 1
        return try await model.logprobs(context: context, continuation: continuation).tokenLogprobs
    }

    /// Per-token log-probabilities of many (context, continuation) pairs in one engine call.
    public func tokenLogprobs(batch: [(context: [Int32], continuation: [Int32])]) async throws -> [[Double]] {
        guard !batch.isEmpty else { return [] }
        forwardSequences += batch.count
        return try await model.logprobs(batch: batch).map(\.tokenLogprobs)
    }

    public func tokenize(_ s: String, special: Bool) -> [Int32] { model.tokenize(s, parseSpecial: special) }
    public func render(_ m: [RewardEngine.ChatMessage], generationPrompt: Bool) -> String {
        model.renderChat(m, addGenerationPrompt: generationPrompt)
    }
}

extension ModelRewardSupport {
    /// One scorer per loaded model path, so components on the same model share the memo.
    public static func scorer(model: String) throws -> LikelihoodScorer {
        do {
            let m = try ModelHub.shared.model(model)
            return ScorerRegistry.shared.scorer(for: m)
        } catch let e as EngineError {
            throw ConfigError(e.description)
        }
    }
}

final class ScorerRegistry: @unchecked Sendable {
    static let shared = ScorerRegistry()
    private let lock = NSLock()
    private var scorers: [String: LikelihoodScorer] = [:]
    func scorer(for m: any LanguageModel) -> LikelihoodScorer {
        lock.lock(); defer { lock.unlock() }
        if let s = scorers[m.info.path] { return s }
        let s = LikelihoodScorer(model: m)
        scorers[m.info.path] = s
        return s
    }
}
