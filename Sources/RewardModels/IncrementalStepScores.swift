import RewardCore
import RewardEngine

/// Step scores of model PRMs (`prm`, `implicit_prm`) for a growing tree of solution prefixes (test-time
/// search) without re-reading prefixes: each scored path keeps its KV (`KVSpan`), and a path one step
/// longer runs only that step's tokens on top of it. PRM tokens are then linear in depth (each token once)
/// instead of quadratic (every round re-reading the question and all earlier steps). Scores equal the
/// spec scoring the whole path (`stepRewards.last`) up to float summation order.
///
/// Spans are keyed by content (prompt + steps), so any caller order is correct; a path whose longest
/// scored prefix is shorter runs all its missing steps at once. For `prm`, a path longer than the
/// checkpoint's `maxTokens` (where the full path drops its first tokens) is scored the full way.
public actor IncrementalStepScores {
    enum Scorer {
        case prm(ProcessRewardModel)
        /// Policy and reference spans are tokenized with the policy's tokenizer, as `ImplicitPRM` does.
        case implicit(ImplicitPRM, reference: GGUFLanguageModel)
    }

    let scorer: Scorer
    /// Renders and tokenizes prompt and steps (the PRM backbone, or the implicit PRM's policy).
    let model: GGUFLanguageModel
    private var spans: [StepPathSpans]
    /// Tokens run through the model(s) (prompt once, then each new step once; both models for
    /// `implicit_prm`) and engine calls.
    public private(set) var computedTokens = 0
    public private(set) var calls = 0
    /// Bytes of KV kept across calls (bounded by `maxBytes` plus the root prompt's span).
    public var keptBytes: Int { spans.reduce(0) { $0 + $1.bytes } }

    /// nil when the backbone is not the embedded GGUF engine (no KV spans to keep).
    public init?(_ prm: ProcessRewardModel, maxBytes: Int = 1 << 30) {
        guard let m = prm.extractor.model as? GGUFLanguageModel else { return nil }
        scorer = .prm(prm); model = m; spans = [StepPathSpans(model: m, maxBytes: maxBytes)]
    }

    public init?(_ iprm: ImplicitPRM, maxBytes: Int = 1 << 30) {
        guard let p = iprm.policy.model as? GGUFLanguageModel, let r = iprm.reference.model as? GGUFLanguageModel else { return nil }
        scorer = .implicit(iprm, reference: r); model = p
        spans = [StepPathSpans(model: p, maxBytes: maxBytes / 2), StepPathSpans(model: r, maxBytes: maxBytes / 2)]
    }

    /// The score of the last step of each path (steps as `Sample.steps`, i.e. without the separator).
    public func lastStepScores(prompt: Prompt, paths: [[String]]) async throws -> [Double] {
        for p in paths where p.isEmpty { throw EngineError.invalidArgument("a path to score has no steps") }
        let root = model.tokenize(ChatRendering.promptText(model, prompt), parseSpecial: true)
        for i in spans.indices {
            let n = try spans[i].begin(prompt: root)
            computedTokens += n; calls += n > 0 ? 1 : 0
        }
        // One item per distinct path not scored yet: its missing steps' tokens after the longest stored prefix.
        var out = [Double?](repeating: nil, count: paths.count)
        var items: [(path: [String], parents: [KVSpan], tokens: [Int32], last: Int, owners: [Int])] = []
        var pending: [String: Int] = [:]
        var full: [Int] = []
        for (i, path) in paths.enumerated() {
            let key = StepPathSpans.key(path[...])
            if let j = pending[key] { items[j].owners.append(i); continue }
            // The longest prefix every model has stored (the root at least).
            var k = path.count - 1
            while k > 0 && spans.contains(where: { $0.span(path[..<k]) == nil }) { k -= 1 }
            let parents = spans.map { $0.span(path[..<k])! }
            var tokens: [Int32] = [], last = 0
            for s in path[k...] {
                let t = model.tokenize(s + FeatureExtractor.stepSeparator, parseSpecial: false)
                tokens += t; last = t.count
            }
            if case .prm(let prm) = scorer, parents[0].length + tokens.count > prm.extractor.maxTokens { full.append(i); continue }
            pending[key] = items.count
            items.append((path, parents, tokens, last, [i]))
        }
        if !items.isEmpty {
            let scores: [Double]
            switch scorer {
            case .prm(let prm):
                let r = try model.appendHiddenStates(items.map { ($0.parents[0], $0.tokens, [$0.tokens.count - 1]) })
                for (it, a) in zip(items, r) { spans[0].store(it.path[...], a.span) }
                scores = r.map { prm.stepScores(features: $0.states).scores[0] }
            case .implicit(let iprm, let ref):
                // β · Σ (log πθ − log πref) over the last step's tokens.
                let lp = try model.appendLogprobs(items.map { ($0.parents[0], $0.tokens) })
                let lr = try ref.appendLogprobs(items.map { ($0.parents[1], $0.tokens) })
                for (it, (a, b)) in zip(items, zip(lp, lr)) { spans[0].store(it.path[...], a.span); spans[1].store(it.path[...], b.span) }
                scores = zip(items, zip(lp, lr)).map { it, ab in
                    let n = ab.0.logprobs.count
                    return iprm.beta * (n - it.last..<n).reduce(0.0) { $0 + ab.0.logprobs[$1] - ab.1.logprobs[$1] }
                }
            }
            calls += spans.count
            for (it, s) in zip(items, scores) {
                computedTokens += it.tokens.count * spans.count
                for i in it.owners { out[i] = s }
            }
        }
        if case .prm(let prm) = scorer {
            for i in full {
                let before = await prm.extractor.computedTokens
                let s = try await prm.stepScores(Sample(prompt: prompt, response: paths[i].joined(separator: "\n\n"), steps: paths[i]))
                computedTokens += await prm.extractor.computedTokens - before
                calls += 1
                out[i] = s.scores.last ?? 0
            }
        }
        return out.map { $0! }
    }
}
