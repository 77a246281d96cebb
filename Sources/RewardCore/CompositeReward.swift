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
        for (k, p) in parts.enumerated() {
            let r = results[k][i]
            if let e = r.error { return .failure("reward '\(p.name)': \(e)") }
            comps.append(JSONMember(p.name, .number(r.reward)))
            for m in r.diagnostics { diags["\(p.name).\(m.key)"] = m.value }
            if steps == nil, let s = r.stepRewards { steps = s }
            if p.weight != 0 { total += p.weight * r.reward }
            if p.gate, !(r.passed ?? (r.reward >= p.gateThreshold)) { gated = true }
        }
        if gated { total = gateValue }
        if let c = clip { total = min(max(total, c.lowerBound), c.upperBound) }
        return RewardResult(reward: total, components: comps, stepRewards: steps, passed: !gated, diagnostics: diags)
    }
}
