import Foundation

/// Who holds a claim: host, process id and a per-worker token. A claim is taken over only when its
/// process is provably gone (same host, pid no longer exists), so a kill -9 costs no waiting.
public struct WorkerIdentity: Sendable, Hashable {
    public var id: String

    public init(worker: Int = 0) {
        let host = ProcessInfo.processInfo.hostName
        id = "\(host)|\(getpid())|\(Self.processToken)|w\(worker)"
    }

    static let processToken = String(UInt64.random(in: 0...UInt64.max), radix: 36)

    /// False only when the worker ran on this host and its process no longer exists.
    public static func isAlive(_ worker: String) -> Bool {
        let parts = worker.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count >= 2, let pid = Int32(parts[1]) else { return false }
        guard parts[0] == ProcessInfo.processInfo.hostName else { return true }
        if pid == getpid() { return parts.count < 3 || parts[2] == processToken }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
