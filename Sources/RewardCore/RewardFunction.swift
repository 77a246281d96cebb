/// Results of the components already computed for the current batch, so a component
/// can use another's verdict (calibration and LASER need a correctness signal).
public struct ScoringContext: Sendable {
    public var prior: [String: [RewardResult]]
    public init(prior: [String: [RewardResult]] = [:]) { self.prior = prior }
    public static let empty = ScoringContext()
}

/// Anything that turns samples into rewards: rule-based checks, learned reward
/// models, judges, remote scorers. Batch-first so model-backed scorers can batch
/// forward passes; must return exactly one result per sample, in order. A sample
/// that cannot be scored gets a result with `error` set; throwing aborts the batch
/// and is reserved for failures of the scorer itself.
public protocol RewardFunction: Sendable {
    /// Short type name for diagnostics ("format", "orm", …).
    var kind: String { get }
    /// Names of the components this one reads from `ScoringContext.prior`.
    var dependencies: [String] { get }
    /// The parts of an input record this reward reads; the JSONL reader then builds only those
    /// (nil, the default: any part, so the whole line is parsed).
    var readsFields: RecordFields? { get }
    func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult]
}

extension RewardFunction {
    public var dependencies: [String] { [] }
    public var readsFields: RecordFields? { nil }
    public func score(_ samples: [Sample]) async throws -> [RewardResult] {
        try await score(samples, context: .empty)
    }
}

/// A reward computed independently per sample with no model: implement one method,
/// get the batch API. Rule-based rewards conform to this.
public protocol SampleReward: RewardFunction {
    func score(_ sample: Sample, index: Int, context: ScoringContext) -> RewardResult
}

extension SampleReward {
    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        scoreSync(samples, context: context)
    }

    public func scoreSync(_ samples: [Sample], context: ScoringContext) -> [RewardResult] {
        var out: [RewardResult] = []
        out.reserveCapacity(samples.count)
        // By index: `enumerated()` copied each sample (a retain and a release per field).
        for i in samples.indices { out.append(score(samples[i], index: i, context: context)) }
        return out
    }
}

/// Errors in a reward spec or a reward's configuration, raised before scoring starts.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
