/// Reads a precomputed numeric score from the input line (`field: score`), so
/// scores from any external model compose with rule-based rewards.
public struct FieldReward: SampleReward {
    public let field: String
    /// `field` is a `PlainKey`: the lookup passes over other keys without a String comparison.
    private let plain: Bool
    public var kind: String { "field" }
    public var readsFields: RecordFields? { RecordFields(text: false, keys: [field], recordKeys: false) }

    public init(field: String) {
        self.field = field
        plain = PlainKey.isPlain(field)
    }

    public init(options o: inout ComponentOptions) throws {
        self.init(field: try o.string("field") ?? "score")
    }

    public func score(_ s: Sample, index: Int, context: ScoringContext) -> RewardResult {
        guard let v = plain ? s.fields.value(recordKey: field) : s.fields[field], !v.isNull else { return .failure("missing field '\(field)'") }
        guard let d = v.doubleValue, d.isFinite else { return .failure("field '\(field)' must be a number, got \(v.typeName)") }
        return RewardResult(reward: d)
    }
}
