/// Final-norm hidden states for many sequences at once: the sequences are packed into shared
/// forward passes (each with its own KV cache, so attention stays within a sequence) and the
/// projections run as one large sgemm instead of one small one per sequence. Reward-model
/// heads (`orm`, `prm`) read their features through this when a server merges requests.
public protocol BatchedHiddenStates: LanguageModel {
    /// One result per item, in order; the same values as `hiddenStates(tokens:at:)` per item
    /// (up to float summation order). Throws when any item is invalid.
    func hiddenStates(batch: [(tokens: [Int32], positions: HiddenStatePositions)]) async throws -> [[[Float]]]
}

extension GGUFLanguageModel: BatchedHiddenStates {
    public func hiddenStates(batch: [(tokens: [Int32], positions: HiddenStatePositions)]) async throws -> [[[Float]]] {
        var rows: [[Int]] = []
        rows.reserveCapacity(batch.count)
        for (tokens, positions) in batch {
            try checkTokens(tokens)
            guard tokens.count <= config.contextLength else { throw EngineError.invalidArgument("sequence exceeds context length") }
            switch positions {
            case .all: rows.append(Array(0..<tokens.count))
            case .last: rows.append(tokens.isEmpty ? [] : [tokens.count - 1])
            case .indices(let idx):
                for i in idx where i < 0 || i >= tokens.count {
                    throw EngineError.invalidArgument("hidden-state position \(i) outside 0..<\(tokens.count)")
                }
                rows.append(idx)
            }
        }
        let d = config.embeddingLength
        return locked {
            var out = [[[Float]]](repeating: [], count: batch.count)
            for group in tokenBudgetGroups(batch.map(\.tokens.count), budget: Self.maxBatchTokens) {
                // Whole sequences up to maxBatchTokens per forward pass (always at least one).
                let i = group.lowerBound, j = group.upperBound
                var tokens: [Int32] = []
                tokens.reserveCapacity(batch[group].reduce(0) { $0 + $1.tokens.count })
                var segs: [(k: Int, seg: BatchSegment)] = []
                for k in i..<j where !batch[k].tokens.isEmpty {
                    let n = batch[k].tokens.count
                    segs.append((k, BatchSegment(cache: model.makeCache(capacity: n), start: tokens.count, count: n)))
                    tokens += batch[k].tokens
                }
                if !segs.isEmpty {
                    let hidden = model.forward(tokens: tokens, segments: segs.map { $0.seg })
                    for (k, s) in segs {
                        out[k] = rows[k].map { Array(UnsafeBufferPointer(start: hidden.pointer + (s.start + $0) * d, count: d)) }
                    }
                }
            }
            return out
        }
    }
}
