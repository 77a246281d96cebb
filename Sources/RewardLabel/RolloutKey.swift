/// Identity of one rollout: (solution, node, index). The node names a prefix: `g3` is the given
/// solution's first 3 steps; `g2/5:1` is node `g2` extended by the first step of its rollout 5
/// (OmegaPRM's binary search over a sampled rollout). The seed is a pure function of the key and
/// the job seed, so a resumed job draws exactly what the interrupted one would have.
public struct RolloutKey: Sendable, Hashable {
    public var solution: Int
    public var node: String
    public var index: Int

    public init(solution: Int, node: String, index: Int) {
        self.solution = solution; self.node = node; self.index = index
    }

    public func seed(jobSeed: UInt64) -> UInt64 {
        var h = StableHash.mix(jobSeed ^ 0x9E37_79B9_7F4A_7C15)
        h = StableHash.mix(h ^ UInt64(bitPattern: Int64(solution)))
        h = StableHash.mix(h ^ StableHash.fnv1a(node))
        return StableHash.mix(h ^ UInt64(bitPattern: Int64(index)))
    }

    /// Node for the given solution's first `steps` steps.
    public static func given(_ steps: Int) -> String { "g\(steps)" }
}

/// Platform-independent hashing (Swift's `Hasher` is randomly seeded per process).
public enum StableHash {
    public static func fnv1a<S: Sequence>(bytes: S) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    public static func fnv1a(_ s: String) -> UInt64 { fnv1a(bytes: s.utf8) }

    /// SplitMix64 finalizer.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }
}
