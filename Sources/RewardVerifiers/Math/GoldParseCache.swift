import Foundation

/// Parsed gold answers by gold text. An RL reward server sees the same reference answers over
/// and over (every rollout of a prompt carries its label), and parsing the gold was ~12 % of a
/// 1-record request's CPU. Bounded: at most `2 × perShard × shards` entries, golds over
/// `maxKeyBytes` are never kept. Two generations per shard approximate LRU in O(1): hits are
/// served from (and promoted to) the young generation; when it fills, it becomes the old one
/// and the previous old generation is dropped. Sharded locks keep parallel scorers apart.
///
/// When golds do not repeat (a file of distinct problems) the cache would only add hashing,
/// locking and inserts to every line, so each shard watches its hit rate: after a window of
/// `window` lookups with fewer than 1 in 8 hits it skips the cache for the next `bypassCalls`
/// calls (a lock and a counter, no hashing), then measures again.
final class GoldParseCache: @unchecked Sendable {
    static let shards = 8
    static let window = 256
    static let bypassCalls = 8192
    let perShard: Int
    let maxKeyBytes: Int

    private struct Shard {
        var young: [String: MathVerifier.GoldParse] = [:]
        var old: [String: MathVerifier.GoldParse] = [:]
        var lookups = 0, hits = 0
        /// Calls left that skip the cache.
        var bypass = 0
    }

    private enum Lookup { case hit(MathVerifier.GoldParse), miss, bypassed }

    private let locks = (0..<GoldParseCache.shards).map { _ in NSLock() }
    private var shard = [Shard](repeating: Shard(), count: GoldParseCache.shards)

    /// `capacity` 0 turns the cache off.
    init(capacity: Int = 4096, maxKeyBytes: Int = 256) {
        perShard = capacity <= 0 ? 0 : max(1, capacity / Self.shards)
        self.maxKeyBytes = maxKeyBytes
    }

    /// The cached parse of `gold`, or `make()`'s result (then kept).
    func parse(_ gold: String, _ make: () -> MathVerifier.GoldParse) -> MathVerifier.GoldParse {
        let n = gold.utf8.count
        guard perShard > 0, n <= maxKeyBytes else { return make() }
        // The shard from the length and last byte: no SipHash before we know the cache is worth it.
        let s = (n &+ Int(gold.utf8.last ?? 0)) % Self.shards
        let found: Lookup = locks[s].withLock {
            if shard[s].bypass > 0 {
                shard[s].bypass -= 1
                return .bypassed
            }
            shard[s].lookups += 1
            var r = Lookup.miss
            if let g = shard[s].young[gold] {
                r = .hit(g)
            } else if let g = shard[s].old[gold] {
                insert(gold, g, shard: s)
                r = .hit(g)
            }
            if case .hit = r { shard[s].hits += 1 }
            if shard[s].lookups >= Self.window {
                if shard[s].hits * 8 < shard[s].lookups { shard[s].bypass = Self.bypassCalls }
                shard[s].lookups = 0
                shard[s].hits = 0
            }
            return r
        }
        switch found {
        case .hit(let g): return g
        case .bypassed: return make()
        case .miss:
            let g = make()  // outside the lock: a parse is bounded but not free
            locks[s].withLock { insert(gold, g, shard: s) }
            return g
        }
    }

    /// Caller holds the shard's lock.
    private func insert(_ key: String, _ value: MathVerifier.GoldParse, shard s: Int) {
        if shard[s].young.count >= perShard {
            shard[s].old = shard[s].young
            shard[s].young = [:]
            shard[s].young.reserveCapacity(perShard)
        }
        shard[s].young[key] = value
    }

    var count: Int { (0..<Self.shards).reduce(0) { n, s in n + locks[s].withLock { shard[s].young.count + shard[s].old.count } } }

    /// Whether shard `s` is skipping the cache now (tests).
    func bypassing(shard s: Int) -> Bool { locks[s].withLock { shard[s].bypass > 0 } }
}
