/// The tree every search method grows: node 0 is the root (the rendered prompt, no step); every other
/// node is one sampled step (text up to and including the step delimiter, or the final piece of an
/// answer). A node's step score is computed once (`StepScorer`) and kept here, so later rounds read it
/// instead of re-scoring the prefix.
public struct SearchNode: Sendable, Equatable {
    public var id: Int
    public var parent: Int?
    public var depth: Int
    public var step: String
    /// Why this step's sampling ended (nil for the root).
    public var finish: GenerationFinish?
    public var tokens: Int
    /// This step's score from the step scorer (memoized; nil until scored).
    public var score: Double?
    /// The solution ends here: end of generation, token budget, or an empty step.
    public var terminal: Bool
    /// MCTS statistics.
    public var visits: Int = 0
    public var value: Double = 0
    public var prior: Double = 1
    public var children: [Int] = []
    /// MCTS rollout leaf: a completion candidate, never selected or expanded.
    public var rollout = false
}

public struct SearchTree: Sendable {
    public let prompt: String
    public private(set) var nodes: [SearchNode]

    public init(prompt: String) {
        self.prompt = prompt
        nodes = [SearchNode(id: 0, parent: nil, depth: 0, step: "", finish: nil, tokens: 0, score: nil, terminal: false)]
    }

    public subscript(_ id: Int) -> SearchNode {
        get { nodes[id] }
        set { nodes[id] = newValue }
    }

    @discardableResult
    public mutating func add(parent: Int, step: String, finish: GenerationFinish, tokens: Int, terminal: Bool) -> Int {
        let id = nodes.count
        nodes.append(SearchNode(id: id, parent: parent, depth: nodes[parent].depth + 1, step: step, finish: finish,
                                tokens: tokens, score: nil, terminal: terminal))
        nodes[parent].children.append(id)
        return id
    }

    /// Unlinks a node from its parent (it stays in `nodes` for ids to remain stable).
    public mutating func detach(_ id: Int) {
        if let p = nodes[id].parent { nodes[p].children.removeAll { $0 == id } }
    }

    /// Node ids from the first step to `id` (the root excluded).
    public func path(_ id: Int) -> [Int] {
        var out: [Int] = []
        var c: Int? = id
        while let n = c, n != 0 { out.append(n); c = nodes[n].parent }
        return out.reversed()
    }

    public func steps(_ id: Int) -> [String] { path(id).map { nodes[$0].step } }
    /// The answer text so far (all steps to `id`).
    public func completion(_ id: Int) -> String { steps(id).joined() }
    /// What the generator continues: prompt + steps.
    public func context(_ id: Int) -> String { prompt + completion(id) }
    /// Tokens generated on the path to `id`.
    public func pathTokens(_ id: Int) -> Int { path(id).reduce(0) { $0 + nodes[$1].tokens } }
    public func stepScores(_ id: Int) -> [Double] { path(id).compactMap { nodes[$0].score } }
}

/// Deterministic seeds from (run seed, problem, node, index), so a tree is reproducible and a resumed
/// run draws exactly what an interrupted one would have.
public enum SearchSeed {
    public static func make(_ seed: UInt64, _ problem: String, node: Int, index: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in problem.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return mix(mix(mix(seed ^ h) ^ UInt64(node)) ^ UInt64(index))
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
