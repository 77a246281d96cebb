import Dispatch

/// Where scoring that is not tiny runs: Dispatch's global pool, never a NIO event loop.
/// `rewardkit serve` makes the event loops Swift's global executor (see `EventLoopTasks`),
/// so a plain `Task {}` would run a 256-record slice or a model forward pass on a loop and
/// stall every connection on it. Tasks started with this executor preference (and their
/// child tasks, and actor code they call: SE-0417) run here instead.
@available(macOS 15.0, *)
final class WorkExecutor: TaskExecutor {
    static let shared = WorkExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        DispatchQueue.global().async { job.runSynchronously(on: executor) }
    }
}

/// Starts an unstructured task on the work pool (plain `Task` where task executors are missing).
@discardableResult
func workTask<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> Task<T, Never> {
    if #available(macOS 15.0, *) {
        return Task(executorPreference: WorkExecutor.shared, operation: body)
    }
    return Task(operation: body)
}
