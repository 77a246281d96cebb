/// Slice tasks a deadline cut off keep running (a model forward pass cannot be interrupted)
/// after their request was answered. They are registered here so that shutdown awaits them:
/// returning from `RewardServer.run` while one still runs would let the process's exit
/// handlers (OpenBLAS frees its buffers) race the forward pass.
final class BackgroundWork: Sendable {
    private struct State {
        var next = 0
        var tasks: [Int: Task<Void, Never>] = [:]
    }
    private let state = Locked(State())

    /// Starts `body` as a tracked task; it unregisters itself when done.
    func run(_ body: @escaping @Sendable () async -> Void) {
        state.withLock { s in
            let id = s.next
            s.next += 1
            // Created under the lock: the task's own removal waits for the insertion.
            // On the work pool: these run model slices and 256-record slices (see WorkExecutor).
            s.tasks[id] = workTask {
                await body()
                self.state.withLock { _ = $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    var count: Int { state.withLock { $0.tasks.count } }

    /// Waits until every tracked task has finished or `timeout` has passed; returns how
    /// many are still running (0: all done). Polls: awaiting a task's value cannot be
    /// abandoned at a timeout, and shutdown is not a hot path.
    func drain(timeout: Duration) async -> Int {
        let until = ContinuousClock.now.advanced(by: timeout)
        while true {
            let n = count
            if n == 0 || ContinuousClock.now >= until { return n }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
