import Testing
@testable import RewardServer
import RewardCore

/// Under `rewardkit serve` Swift's global executor is the NIO event loops, so any scoring that
/// is not tiny must run with the work pool as its executor preference, or it would hold a loop
/// (and every connection on it) for a slice or a forward pass. These check the preference itself,
/// which holds in a test process too (no event-loop takeover needed to see it).
@Suite struct WorkPoolTests {
    static func onWorkPool() -> Bool {
        withUnsafeCurrentTask { $0?.unownedTaskExecutor == WorkExecutor.shared.asUnownedTaskExecutor() }
    }

    /// A real reward that notes, per call, whether it ran on the work pool.
    struct ProbeReward: RewardFunction {
        let seen = Locked<[Bool]>([])
        var kind: String { "field" }
        func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
            seen.withLock { $0.append(WorkPoolTests.onWorkPool()) }
            return FieldReward(field: "score").scoreSync(samples, context: context)
        }
    }

    @Test func deadlineSlicesRunOnTheWorkPool() async {
        #expect(!Self.onWorkPool())
        let out = await DeadlineRunner.run([1, 2, 3], until: ContinuousClock.now.advanced(by: .seconds(600)),
                                           background: BackgroundWork()) { (_: Int) -> [Bool] in [Self.onWorkPool()] }
        guard case .finished(let flags) = out else { Issue.record("expected finished, got \(out)"); return }
        #expect(flags == [true, true, true])
    }

    @Test func batchedForwardRunsOnTheWorkPool() async throws {
        let reward = ProbeReward()
        let batcher = ModelBatcher(reward: reward, maxBatch: 4, maxWait: .milliseconds(1), metrics: ServerMetrics(inFlight: { 0 }))
        let r = try await batcher.score([sample(0.25), sample(0.75)])
        #expect(r.map(\.reward) == [0.25, 0.75])
        #expect(reward.seen.withLock { $0 } == [true])
    }
}
