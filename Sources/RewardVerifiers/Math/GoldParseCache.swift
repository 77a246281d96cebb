import Foundation

/// Parsed gold answers by gold text. An RL reward server sees the same reference answers over
/// and over (every rollout of a prompt carries its label), and parsing the gold was ~12 % of a
/// 1-record request's CPU. Bounded: at most `2 × perShard × shards` entries, golds over
/// `maxKeyBytes` are never kept. Two generations per shard approximate LRU in O(1): hits are
/// served from (and promoted to) the young generation; when it fills, it becomes the old one
/// and the previous old generation is dropped. Sharded locks keep parallel scorers apart.
final class GoldParseCache: @unchecked Sendable {
    static let shards = 8
    let perShard: Int
    let maxKeyBytes: Int
    private let locks = (0..<GoldParseCache.shards).map { _ in NSLock() }
    private var young = [[String: MathVerifier.GoldParse]](repeating: [:], count: GoldParseCache.shards)
    private var old = [[String: MathVerifier.GoldParse]](repeating: [:], count: GoldParseCache.shards)

    init(capacity: Int = 4096, maxKeyBytes: Int = 256) {
        perShard = max(1, capacity / Self.shards)
        self.maxKeyBytes = maxKeyBytes
    }

    /// The cached parse of `gold`, or `make()`'s result (then kept).
    func parse(_ gold: String, _ make: () -> MathVerifier.GoldParse) -> MathVerifier.GoldParse {
        guard gold.utf8.count <= maxKeyBytes else { return make() }
        let s = Int(UInt(bitPattern: gold.hashValue) % UInt(Self.shards))
        let hit: MathVerifier.GoldParse? = locks[s].withLock {
            if let g = young[s][gold] { return g }
            guard let g = old[s][gold] else { return nil }
            insert(gold, g, shard: s)
            return g
        }
        if let hit { return hit }
        let g = make()  // outside the lock: a parse is bounded but not free
        locks[s].withLock { insert(gold, g, shard: s) }
        return g
    }

    /// Caller holds the shard's lock.
    private func insert(_ key: String, _ value: MathVerifier.GoldParse, shard s: Int) {
        if young[s].count >= perShard {
            old[s] = young[s]
            young[s] = [:]
            young[s].reserveCapacity(perShard)
        }
        young[s][key] = value
    }

    var count: Int { (0..<Self.shards).reduce(0) { n, s in n + locks[s].withLock { young[s].count + old[s].count } } }
}
