/// The weighted sum of named components, with gates and clipping:
/// total = Σ wᵢ·rᵢ; if any gate fails, total = gateValue; then total is clipped.
/// Components run in spec order and see earlier components' results.
public struct CompositeReward: RewardFunction {
    public struct Part: Sendable {
        public var name: String
        public var function: any RewardFunction
        public var weight: Double
        public var gate: Bool
        public var gateThreshold: Double

        public init(name: String, function: any RewardFunction, weight: Double = 1, gate: Bool = false, gateThreshold: Double = 0.5) {
            self.name = name
            self.function = function
            self.weight = weight
            self.gate = gate
            self.gateThreshold = gateThreshold
        }
    }

    public var parts: [Part]
    public var gateValue: Double
    public var clip: ClosedRange<Double>?
    public var kind: String { "composite" }
    public var readsFields: RecordFields? { RecordFields.union(parts.map(\.function.readsFields)) }

    public init(parts: [Part], gateValue: Double = 0, clip: ClosedRange<Double>? = nil) {
        self.parts = parts
        self.gateValue = gateValue
        self.clip = clip
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        var ctx = context
        for p in parts {
            let r = try await p.function.score(samples, context: ctx)
            precondition(r.count == samples.count, "reward '\(p.name)' returned \(r.count) results for \(samples.count) samples")
            ctx.prior[p.name] = r
        }
        // Each part's results looked up once, not once per sample.
        let results = parts.map { ctx.prior[$0.name]! }
        return (0..<samples.count).map { combine(index: $0, results: results) }
    }

    func combine(index i: Int, results: [[RewardResult]]) -> RewardResult {
        var total = 0.0
        var gated = false
        var comps: [JSONMember] = []
        comps.reserveCapacity(parts.count)
        var diags = JSONObject()
        var steps: [Double]?
        // By index, reading fields in place: `enumerated()` copied each part and each result
        // (retains and releases of their strings and arrays) for every sample.
        for k in parts.indices {
            if let e = results[k][i].error { return .failure("reward '\(parts[k].name)': \(e)") }
            let reward = results[k][i].reward
            comps.append(JSONMember(parts[k].name, .number(reward)))
            if !results[k][i].diagnostics.members.isEmpty {
                for m in results[k][i].diagnostics { diags["\(parts[k].name).\(m.key)"] = m.value }
            }
            if steps == nil, let s = results[k][i].stepRewards { steps = s }
            if parts[k].weight != 0 { total += parts[k].weight * reward }
            if parts[k].gate, !(results[k][i].passed ?? (reward >= parts[k].gateThreshold)) { gated = true }
        }
        if gated { total = gateValue }
        if let c = clip { total = min(max(total, c.lowerBound), c.upperBound) }
        return RewardResult(reward: total, components: comps, stepRewards: steps, passed: !gated, diagnostics: diags)
    }
}
