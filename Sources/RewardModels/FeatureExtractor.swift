import Foundation
import RewardCore
import RewardEngine

/// How a sequence's hidden states become one feature vector.
public enum Pooling: String, Sendable, CaseIterable { case last, mean }

/// Backbone features for reward heads: final-norm hidden states from the frozen LM, read
/// through the on-disk cache. An actor so that all model access is serialized (the engine
/// already spreads one forward pass over every core) and counters stay consistent.
public actor FeatureExtractor {
    public let model: any LanguageModel
    public let modelSHA256: String
    public let cache: FeatureCache?
    /// Longest sequence fed to the backbone; longer inputs lose tokens from the start,
    /// keeping the response end the head reads.
    public let maxTokens: Int
    public private(set) var computed = 0
    public private(set) var computeSeconds = 0.0
    public private(set) var computedTokens = 0

    /// Step features are read at the separator that closes each step; this is it.
    public static let stepSeparator = "\n\n"

    public init(model: any LanguageModel, modelSHA256: String, cache: FeatureCache?, maxTokens: Int = 512) {
        self.model = model
        self.modelSHA256 = modelSHA256
        self.cache = cache
        self.maxTokens = maxTokens
    }

    public var width: Int { model.info.hiddenSize }

    /// Pooled feature of (prompt, response) rendered with the chat template.
    public func pooled(prompt: Prompt, response: String, pooling: Pooling) async throws -> [Float] {
        try await pooled(batch: [(prompt, response)], pooling: pooling)[0]
    }

    /// Pooled features of many pairs: cache hits are served from the cache, the misses go
    /// through the backbone together (one batched call when the model has one).
    public func pooled(batch: [(prompt: Prompt, response: String)], pooling: Pooling) async throws -> [[Float]] {
        var out = [[Float]?](repeating: nil, count: batch.count)
        var misses: [(i: Int, key: String, tokens: [Int32])] = []
        for (i, item) in batch.enumerated() {
            let text = ChatRendering.conversationText(model, item.prompt, response: item.response)
            let key = FeatureCache.key("pooled|\(pooling.rawValue)|\(maxTokens)|\(text)")
            if let c = cache?.get(key, width: width), c.count == 1 { out[i] = c[0]; continue }
            var tokens = model.tokenize(text, parseSpecial: true)
            if tokens.count > maxTokens { tokens.removeFirst(tokens.count - maxTokens) }
            misses.append((i, key, tokens))
        }
        let at: HiddenStatePositions = pooling == .last ? .last : .all
        let states = try await hiddenStates(misses.map { ($0.tokens, at) })
        for (m, rows) in zip(misses, states) {
            let f: [Float]
            if pooling == .last { f = rows[0] } else {
                var acc = [Float](repeating: 0, count: width)
                for r in rows { for j in 0..<width { acc[j] += r[j] } }
                let n = Float(rows.count)
                f = acc.map { $0 / n }
            }
            cache?.put(m.key, rows: [f])
            out[m.i] = f
        }
        return out.map { $0! }
    }

    /// One feature per step, read at the last token of "step + separator" after the prompt.
    /// Steps are tokenized piecewise so a step's boundary token is well defined.
    public func stepFeatures(prompt: Prompt, steps: [String]) async throws -> [[Float]] {
        try await stepFeatures(batch: [(prompt, steps)])[0]
    }

    /// Step features of many samples, the misses through the backbone together.
    public func stepFeatures(batch: [(prompt: Prompt, steps: [String])]) async throws -> [[[Float]]] {
        var out = [[[Float]]?](repeating: nil, count: batch.count)
        var misses: [(i: Int, key: String, tokens: [Int32], positions: [Int])] = []
        for (i, item) in batch.enumerated() {
            guard !item.steps.isEmpty else { out[i] = []; continue }
            let prefix = ChatRendering.promptText(model, item.prompt)
            let key = FeatureCache.key("steps|\(maxTokens)|\(prefix)|\(item.steps.joined(separator: "\u{1}"))")
            if let c = cache?.get(key, width: width), c.count == item.steps.count { out[i] = c; continue }
            var tokens = model.tokenize(prefix, parseSpecial: true)
            var ends: [Int] = []
            for s in item.steps {
                tokens += model.tokenize(s + Self.stepSeparator, parseSpecial: false)
                ends.append(tokens.count - 1)
            }
            let drop = max(0, tokens.count - maxTokens)
            if drop > 0 { tokens.removeFirst(drop) }
            misses.append((i, key, tokens, ends.map { max($0 - drop, 0) }))
        }
        let states = try await hiddenStates(misses.map { ($0.tokens, .indices($0.positions)) })
        for (m, rows) in zip(misses, states) {
            cache?.put(m.key, rows: rows)
            out[m.i] = rows
        }
        return out.map { $0! }
    }

    /// Hidden states of several sequences: one batched engine call when the model has one
    /// (and there is more than one sequence), else one call per sequence.
    private func hiddenStates(_ items: [(tokens: [Int32], positions: HiddenStatePositions)]) async throws -> [[[Float]]] {
        guard !items.isEmpty else { return [] }
        let n = items.reduce(0) { $0 + $1.tokens.count }
        if items.count > 1, let b = model as? any BatchedHiddenStates {
            return try await timed(n, calls: items.count) { try await b.hiddenStates(batch: items) }
        }
        var out: [[[Float]]] = []
        for it in items {
            out.append(try await timed(it.tokens.count, calls: 1) { try await model.hiddenStates(tokens: it.tokens, at: it.positions) })
        }
        return out
    }

    private func timed<T>(_ n: Int, calls: Int, _ body: () async throws -> T) async rethrows -> T {
        let t0 = Date()
        let r = try await body()
        computeSeconds += Date().timeIntervalSince(t0)
        computed += calls
        computedTokens += n
        return r
    }

    public var cacheStats: (hits: Int, misses: Int) { cache?.stats ?? (0, 0) }
}
