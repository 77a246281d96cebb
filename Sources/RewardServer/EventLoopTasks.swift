import NIOCore
import NIOPosix

/// Swift concurrency on NIO's event loops. Hummingbird 2 serves each connection in a Swift
/// task that reads requests from, and writes responses to, a channel whose I/O runs on an
/// event loop: with Swift's own global pool every request crosses threads twice (loop →
/// pool for the request, pool → loop for the response), and on a small box those handoffs
/// (futex wakes, context switches, cold caches) cost more CPU than parsing, scoring and
/// answering a 1-record request. With the loops as the global executor a connection's task
/// runs on its channel's loop (NIO picks the current loop when it enqueues from one).
/// Work that is not tiny is moved off the loops explicitly (`workTask`, `WorkExecutor`).
public enum EventLoopTasks {
    /// Installs NIO's singleton event-loop group as Swift's global executor. Process-wide and
    /// once only: call it first thing in a server process (`rewardkit serve`), never in a
    /// library or test process. Returns false where unsupported (the pool stays as it was).
    @discardableResult
    public static func install() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
