import Foundation
#if canImport(Synchronization)
import Synchronization
#endif

/// Persistent worker threads for parallel-for. GCD's concurrentPerform runs serially in this Linux
/// environment and sleeping threads wake too slowly for ~200 parallel sections per decoded token,
/// so workers spin briefly on an atomic generation counter before parking on a condition variable.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    let workerCount: Int
    #if os(Linux)
    private let generation = Atomic<Int>(0)
    private let nextIndex = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Workers currently inside a job; the caller waits for 0 so no worker can run a stale body.
    private let active = Atomic<Int>(0)
    #endif
    private var job: ((Int) -> Void)? = nil
    private var jobCount = 0
    private var sleepers = 0
    // Heap-allocated: Swift does not promise that `&storedProperty` passes a stable address, and a
    // pthread mutex or condition variable must not move.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    private let cond: UnsafeMutablePointer<pthread_cond_t> = .allocate(capacity: 1)
    /// Serializes callers (one parallel section at a time).
    private let callLock = NSLock()

    init(workers: Int) {
        workerCount = workers
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
        #if os(Linux)
        for _ in 0..<workers {
            let t = Thread { [unowned self] in self.workerLoop() }
            t.stackSize = 1 << 20
            t.start()
        }
        #endif
    }

    /// Runs body(i) for i in 0..<n using up to `threads` threads (the caller included).
    func run(_ n: Int, threads: Int, _ body: @escaping (Int) -> Void) {
        if n <= 1 || threads <= 1 || workerCount == 0 {
            for i in 0..<n { body(i) }
            return
        }
        #if os(Linux)
        callLock.lock()
        defer { callLock.unlock() }
        do {
            let b = body
            pthread_mutex_lock(mutex)
            job = b
            jobCount = n
            nextIndex.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            if sleepers > 0 { pthread_cond_broadcast(cond) }
            pthread_mutex_unlock(mutex)
            drain(b, n)
            while finished.load(ordering: .acquiring) < n { spinPause() }
            // Withdraw the job, then wait until no worker still holds it (it must not outlive this call).
            pthread_mutex_lock(mutex)
            job = nil
            pthread_mutex_unlock(mutex)
            while active.load(ordering: .acquiring) > 0 { spinPause() }
        }
        #else
        let bb = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: n) { bb.value($0) }
        #endif
    }

    #if os(Linux)
    private func drain(_ b: (Int) -> Void, _ n: Int) {
        while true {
            let i = nextIndex.add(1, ordering: .relaxed).oldValue
            if i >= n { break }
            b(i)
            finished.add(1, ordering: .releasing)
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            var spins = 0
            var g = generation.load(ordering: .acquiring)
            while g == seen {
                spins += 1
                if spins < 200_000 {
                    spinPause()
                } else {
                    pthread_mutex_lock(mutex)
                    sleepers += 1
                    while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(cond, mutex) }
                    sleepers -= 1
                    pthread_mutex_unlock(mutex)
                    spins = 0
                }
                g = generation.load(ordering: .acquiring)
            }
            seen = g
            runCurrentJob()
        }
    }

    /// Runs items of the published job, if it is still there, then reports idle. The job is held only
    /// inside `runItems`, so it is released before `active` drops (the caller's closure must not outlive
    /// its call); kept as a local of the never-returning loop above, the optimizer held one reference per
    /// job forever (a leak of every buffer a job captured).
    @inline(never) private func runCurrentJob() {
        if runItems() { active.subtract(1, ordering: .releasing) }
    }

    @inline(never) private func runItems() -> Bool {
        // Read the job under the lock and register as active before touching any index.
        pthread_mutex_lock(mutex)
        let b = job
        let n = jobCount
        if b != nil { active.add(1, ordering: .relaxed) }
        pthread_mutex_unlock(mutex)
        guard let body = b else { return false }
        drain(body, n)
        return true
    }
    #endif

    @inline(__always) private func spinPause() {
        #if arch(x86_64) || arch(i386)
        _ = 0  // a plain loop iteration; the atomic load above already prevents hoisting
        #endif
    }
}
