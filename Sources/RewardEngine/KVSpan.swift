/// The key/value rows of a run of tokens that continues a parent span (nil: the sequence start). A chain
/// of spans is one sequence's KV cache stored piecewise, so a tree of continuations (search nodes, each a
/// step after its parent's) holds every token's KV once, and a child's hidden states cost only its own
/// tokens: `GGUFLanguageModel.appendHiddenStates` runs them on top of the parent chain's cached KV.
public final class KVSpan: @unchecked Sendable {
    public let parent: KVSpan?
    /// Tokens in this span.
    public let count: Int
    /// Positions from the sequence start through the end of this span.
    public let length: Int
    let keys: [FloatBuffer]
    let values: [FloatBuffer]
    /// Final-norm hidden state at the span's last token: the next token's distribution (`appendLogprobs`).
    let lastHidden: [Float]

    init(parent: KVSpan?, count: Int, keys: [FloatBuffer], values: [FloatBuffer], lastHidden: [Float]) {
        self.parent = parent; self.count = count; self.keys = keys; self.values = values; self.lastHidden = lastHidden
        length = (parent?.length ?? 0) + count
    }

    /// Bytes of KV held by this span alone (not its ancestors).
    public var bytes: Int { keys.reduce(0) { $0 + $1.count * 4 } * 2 }

    /// The spans from the sequence start to this one.
    var chain: [KVSpan] {
        var out: [KVSpan] = []
        var s: KVSpan? = self
        while let c = s { out.append(c); s = c.parent }
        return out.reversed()
    }
}

extension GGUFLanguageModel {
    /// Appends tokens after each item's parent span (nil: a new sequence) and returns the new span with the
    /// final-norm hidden states at `positions` (indices into the appended tokens). The parent's KV is read,
    /// never recomputed, so the states equal those of one forward pass over parent tokens + `tokens` (up to
    /// float summation order). All items run through shared forward passes, like `hiddenStates(batch:)`.
    public func appendHiddenStates(_ items: [(parent: KVSpan?, tokens: [Int32], positions: [Int])]) throws -> [(span: KVSpan, states: [[Float]])] {
        for it in items {
            guard !it.tokens.isEmpty else { throw EngineError.invalidArgument("no tokens to append") }
            try checkTokens(it.tokens)
            let total = (it.parent?.length ?? 0) + it.tokens.count
            guard total <= config.contextLength else {
                throw EngineError.invalidArgument("sequence of \(total) tokens exceeds context length \(config.contextLength)")
            }
            for p in it.positions where p < 0 || p >= it.tokens.count {
                throw EngineError.invalidArgument("hidden-state position \(p) outside 0..<\(it.tokens.count)")
            }
        }
        let d = config.embeddingLength, kvd = config.kvDim, layers = config.layerCount
        return locked {
            var out: [(span: KVSpan, states: [[Float]])] = []
            out.reserveCapacity(items.count)
            for group in tokenBudgetGroups(items.map(\.tokens.count), budget: Self.maxBatchTokens) {
                let i = group.lowerBound, j = group.upperBound
                var tokens: [Int32] = []
                tokens.reserveCapacity(items[group].reduce(0) { $0 + $1.tokens.count })
                var segs: [BatchSegment] = []
                for k in i..<j {
                    let it = items[k], n = it.tokens.count, base = it.parent?.length ?? 0
                    // The parent chain's rows copied into one contiguous cache the attention reads.
                    let cache = model.makeCache(capacity: base + n)
                    var at = 0
                    for s in it.parent?.chain ?? [] {
                        for l in 0..<layers {
                            (cache.keys(l) + at * kvd).update(from: s.keys[l].pointer, count: s.count * kvd)
                            (cache.values(l) + at * kvd).update(from: s.values[l].pointer, count: s.count * kvd)
                        }
                        at += s.count
                    }
                    cache.count = base
                    segs.append(BatchSegment(cache: cache, start: tokens.count, count: n))
                    tokens += it.tokens
                }
                let hidden = model.forward(tokens: tokens, segments: segs)
                for (s, k) in zip(segs, i..<j) {
                    let it = items[k], n = it.tokens.count, base = it.parent?.length ?? 0
                    var ks: [FloatBuffer] = [], vs: [FloatBuffer] = []
                    for l in 0..<layers {
                        let kb = FloatBuffer(count: n * kvd, zeroed: false), vb = FloatBuffer(count: n * kvd, zeroed: false)
                        kb.pointer.update(from: s.cache.keys(l) + base * kvd, count: n * kvd)
                        vb.pointer.update(from: s.cache.values(l) + base * kvd, count: n * kvd)
                        ks.append(kb); vs.append(vb)
                    }
                    let row = { (p: Int) in Array(UnsafeBufferPointer(start: hidden.pointer + (s.start + p) * d, count: d)) }
                    out.append((KVSpan(parent: it.parent, count: n, keys: ks, values: vs, lastHidden: row(n - 1)), it.positions.map(row)))
                }
            }
            return out
        }
    }

    /// Appends tokens after each parent span and returns the new span with log p(token | everything before it)
    /// for every appended token: the first from the parent's last hidden state, the rest from this pass.
    /// Equals `logprobs(context: parent tokens, continuation: tokens)` up to float summation order.
    public func appendLogprobs(_ items: [(parent: KVSpan, tokens: [Int32])]) throws -> [(span: KVSpan, logprobs: [Double])] {
        let appended = try appendHiddenStates(items.map { ($0.parent, $0.tokens, Array(0..<max($0.tokens.count - 1, 0))) })
        let d = config.embeddingLength, V = config.vocabSize
        return locked {
            zip(items, appended).map { item, a in
                let n = item.tokens.count
                let rows = FloatBuffer(count: n * d, zeroed: false)
                rows.pointer.update(from: item.parent.lastHidden, count: d)
                for (i, h) in a.states.enumerated() { (rows.pointer + (i + 1) * d).update(from: h, count: d) }
                let logits = FloatBuffer(count: n * V, zeroed: false)
                model.logits(hidden: rows.pointer, rows: n, out: logits.pointer)
                let lp = (0..<n).map { i -> Double in
                    let row = logits.pointer + i * V
                    return Double(row[Int(item.tokens[i])]) - VectorMath.logSumExp(row, V)
                }
                return (a.span, lp)
            }
        }
    }
}
