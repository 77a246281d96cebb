/// Admission control: at most `limit` scoring requests at once, and the next one is
/// refused at once (503 + Retry-After) instead of queueing without bound.
final class ConcurrencyGate: Sendable {
    let limit: Int
    private let count = Locked(0)

    init(limit: Int) { self.limit = limit }

    func tryEnter() -> Bool {
        count.withLock { c in
            guard c < limit else { return false }
            c += 1
            return true
        }
    }

    func leave() { count.withLock { $0 -= 1 } }

    var inFlight: Int { count.withLock { $0 } }
}
