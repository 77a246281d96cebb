import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Worker slots of the code sandbox, shared by every code reward in the process. A slot is held
/// by one run at a time, so its uid (uid base + slot) never has two samples alive at once: the
/// per-uid NPROC limit is per sample and a sample cannot read or signal another one. Other
/// rewardkit processes on the machine use the same uids, so a slot is also locked across
/// processes (flock on a per-uid lock file); a slot another process holds is skipped.
public actor SandboxSlots {
    public static let shared = SandboxSlots(count: 64)

    private var free: [Int]
    private var lockFDs: [Int: Int32] = [:]

    public init(count: Int) { free = Array((0..<count).reversed()) }

    static var lockDir: String {
        FileManager.default.fileExists(atPath: "/run/lock") && access("/run/lock", W_OK) == 0 ? "/run/lock" : "/tmp"
    }

    /// A free slot whose uid no other process holds; waits (polling) when all are busy.
    public func acquire(uidBase: UInt32) async -> Int {
        while true {
            for (k, s) in free.enumerated().reversed() {
                let path = "\(SandboxSlots.lockDir)/rewardkit-sandbox-uid-\(uidBase + UInt32(s)).lock"
                let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                if fd < 0 { continue }
                if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                    free.remove(at: k)
                    lockFDs[s] = fd
                    return s
                }
                close(fd)
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    public func release(_ slot: Int) {
        if let fd = lockFDs.removeValue(forKey: slot) { close(fd) }  // closing drops the flock
        free.append(slot)
    }
}
