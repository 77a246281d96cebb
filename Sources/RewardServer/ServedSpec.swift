import RewardCore

/// A reward spec loaded for serving, built by the caller with the same registry `score` uses
/// (RewardServer never re-implements scoring; it calls the spec's `RewardFunction`).
public struct ServedSpec: Sendable {
    public var name: String
    public var path: String
    public var reward: any RewardFunction
    public var groupNormalization: GroupNormalization?
    /// Component names and types, in spec order, for GET /v1/specs.
    public var components: [(name: String, type: String)]
    /// Every component is a synchronous per-sample rule (`SampleReward`): a small request is
    /// scored inline in its handler, since a hop to another task costs more than the work.
    public var inlineSafe: Bool

    /// Reward types that run the embedded engine; their requests go through the batcher.
    public static let modelKinds: Set<String> = ["orm", "prm", "judge", "rlpr", "flr", "implicit_prm"]

    public init(name: String, path: String, reward: CompositeReward, groupNormalization: GroupNormalization?) {
        self.name = name
        self.path = path
        self.reward = reward
        self.groupNormalization = groupNormalization
        self.components = reward.parts.map { ($0.name, $0.function.kind) }
        self.inlineSafe = reward.parts.allSatisfy { $0.function is any SampleReward }
    }

    public var usesModel: Bool { components.contains { Self.modelKinds.contains($0.type) } }
}
