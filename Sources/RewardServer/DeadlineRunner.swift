/// Runs a request's work slice by slice against its deadline. When the deadline passes
/// first, the caller gets the slices finished so far at once (for a 504 that reports what
/// was done) and the remaining work stops at the next slice boundary; a slice already in
/// a model forward pass finishes in the background (tracked by `background`, which
/// shutdown awaits) and is dropped.
enum DeadlineRunner {
    enum Outcome<T: Sendable>: Sendable {
        case finished([T])
        case timedOut(done: [T])
        case failed(any Error)
    }

    private final class Race<T: Sendable>: Sendable {
        struct State {
            var done: [T] = []
            var continuation: CheckedContinuation<Outcome<T>, Never>?
            var resolved = false
        }
        let state = Locked(State())

        func resolve(_ make: ([T]) -> Outcome<T>) {
            let (c, o): (CheckedContinuation<Outcome<T>, Never>?, Outcome<T>?) = state.withLock { s in
                guard !s.resolved else { return (nil, nil) }
                s.resolved = true
                let c = s.continuation
                s.continuation = nil
                return (c, make(s.done))
            }
            if let c, let o { c.resume(returning: o) }
        }

        var isResolved: Bool { state.withLock { $0.resolved } }

        func append(_ part: [T]) -> Bool {
            state.withLock { s in
                guard !s.resolved else { return false }
                s.done.append(contentsOf: part)
                return true
            }
        }
    }

    static func run<Slice: Sendable, T: Sendable>(
        _ slices: [Slice], until deadline: ContinuousClock.Instant, background: BackgroundWork,
        work: @escaping @Sendable (Slice) async throws -> [T]
    ) async -> Outcome<T> {
        let race = Race<T>()
        return await withCheckedContinuation { (c: CheckedContinuation<Outcome<T>, Never>) in
            race.state.withLock { $0.continuation = c }
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                race.resolve { .timedOut(done: $0) }
            }
            background.run {
                do {
                    for s in slices {
                        // Stop between slices once the deadline has answered for us.
                        if race.isResolved { return }
                        let part = try await work(s)
                        if !race.append(part) { return }
                    }
                    race.resolve { .finished($0) }
                } catch {
                    race.resolve { _ in .failed(error) }
                }
                timer.cancel()
            }
        }
    }
}
