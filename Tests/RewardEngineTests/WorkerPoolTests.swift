import Foundation
import Synchronization
import Testing
@testable import RewardEngine

/// The pool must release each job's closure (and whatever it captured) by the time `run` returns.
/// Regression: a worker kept one reference per job it took part in, so every buffer captured by a
/// parallel section leaked (~100 MB per 1,024-token forward pass).
@Suite(.serialized) struct WorkerPoolTests {
    final class Tracked: @unchecked Sendable {
        static let live = Atomic<Int>(0)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        init() { counts.initialize(repeating: 0, count: 16); Self.live.add(1, ordering: .relaxed) }
        deinit { counts.deallocate(); Self.live.subtract(1, ordering: .relaxed) }
    }

    @Test func runsEveryItemOnceAndReleasesCapturedObjects() {
        let pool = WorkerPool(workers: 1)
        let before = Tracked.live.load(ordering: .relaxed)
        for round in 0..<300 {
            let t = Tracked()
            let box = UncheckedSendable(t)
            // Slow items make sure the worker thread really takes part in most rounds.
            pool.run(9, threads: 2) { i in
                box.value.counts[i] += 1
                if round % 2 == 0 { usleep(20) }
            }
            #expect((0..<9).allSatisfy { t.counts[$0] == 1 } && t.counts[9] == 0)
        }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }
}
