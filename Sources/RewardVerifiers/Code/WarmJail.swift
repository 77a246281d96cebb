import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The fast path: one long-lived jail per slot whose Python driver takes one job per sample and
/// forks a child per test, so neither the launcher, the namespaces nor the interpreter start-up is
/// paid per sample. Between jobs the driver kills every process it did not start and wipes the
/// jail's tmpfs; the parent still judges every result. A jail that misbehaves (job over its wall
/// budget, driver killed, garbled output) is killed and the next job starts a fresh one.
/// glibc's pipe2 (Swift's Glibc module does not export it): close-on-exec from the start, so a
/// launcher spawned concurrently on another thread never inherits another jail's pipe ends.
@_silgen_name("pipe2") func rk_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

final class WarmJail: @unchecked Sendable {
    let pid: pid_t
    let toJail: Int32
    let fromJail: Int32
    var pending: [UInt8] = []
    var base: String?

    private init(pid: pid_t, toJail: Int32, fromJail: Int32, base: String) {
        self.pid = pid
        self.toJail = toJail
        self.fromJail = fromJail
        self.base = base
    }

    /// Starts the launcher with pipes for jobs (its stdin) and records (the driver's fd 3).
    static func start(_ sandbox: Sandbox, slot: Int, language: CodeLanguage, interpreter: String?, limits: SandboxLimits) throws -> WarmJail {
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let base = "\(tmp)/rewardkit-sbx-\(getpid())-warm-\(sandbox.uidBase)-\(slot)"
        let fm = FileManager.default
        try? fm.removeItem(atPath: base)
        guard mkdir(base, 0o711) == 0, mkdir(base + "/w", 0o755) == 0 else { throw SandboxError("cannot create \(base)") }
        chmod(base, 0o711)
        for (name, text) in language.files {
            guard fm.createFile(atPath: base + "/w/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
                try? fm.removeItem(atPath: base)
                throw SandboxError("cannot write the driver")
            }
        }
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        guard rk_pipe2(&inPipe, O_CLOEXEC) == 0, rk_pipe2(&outPipe, O_CLOEXEC) == 0 else { throw SandboxError("pipe failed") }
        let uid = sandbox.uidBase + UInt32(slot)
        var args = [sandbox.launcher, "--dir", base + "/w", "--uid", "\(uid)", "--gid", "\(uid)",
                    "--cpu", "100000", "--wall-ms", "0",
                    "--as-mb", "\(limits.memoryMB)", "--nproc", "\(limits.processes)",
                    "--fsize-mb", "\(limits.fileSizeMB)", "--nofile", "\(limits.openFiles)",
                    "--stack-mb", "\(limits.stackMB)", "--out-cap", "\(Int64(1) << 50)",
                    "--stdin", "/dev/stdin", "--fd3", "/dev/stdout", "--strict"]
        args += sandbox.extraLauncherArgs
        args.append("--")
        args += language.argv(interpreter: interpreter) + ["--serve"]
        let (pid, rc) = Sandbox.spawnClean(args) { actions in
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        Glibc.close(inPipe[0]); Glibc.close(outPipe[1])
        guard rc == 0 else {
            Glibc.close(inPipe[1]); Glibc.close(outPipe[0])
            try? fm.removeItem(atPath: base)
            throw SandboxError("cannot start \(args[0]): \(String(cString: strerror(rc)))")
        }
        return WarmJail(pid: pid, toJail: inPipe[1], fromJail: outPipe[0], base: base)
    }

    /// Sends one job and collects the driver's lines up to its `done` line. Status: "exited"
    /// (done), "timeout" (past `wallMs`) or "signaled" (the jail died); on anything but "exited"
    /// the caller closes the jail.
    func run(job: [UInt8], nonce: String, wallMs: Int) -> (out: [UInt8], status: String) {
        var frame = Array("\(job.count)\n".utf8)
        frame += job
        var off = 0
        while off < frame.count {
            let n = frame[off...].withUnsafeBytes { write(toJail, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return ([], "signaled") }
            off += n
        }
        let doneLine = Array("{\"done\": \"\(nonce)\"}".utf8)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(wallMs) * 1_000_000
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            // Complete lines already received.
            while let nl = pending.firstIndex(of: 10) {
                let line = Array(pending[..<nl])
                pending.removeSubrange(...nl)
                out += line
                out.append(10)
                if line == doneLine {
                    if let b = base { try? FileManager.default.removeItem(atPath: b); base = nil }  // the jail holds its bind
                    return (out, "exited")
                }
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { return (out, "timeout") }
            var pfd = pollfd(fd: fromJail, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { continue }
            let n = read(fromJail, &buf, buf.count)
            if n <= 0 { return (out, "signaled") }
            pending += buf[0..<n]
            if pending.count > 64 << 20 { return (out, "output_limit") }
        }
    }

    /// Kills the launcher (its init dies with it, taking the namespace) and reaps it.
    func close() {
        kill(pid, SIGKILL)
        Glibc.close(toJail)
        Glibc.close(fromJail)
        var st: Int32 = 0
        while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
        if let b = base { try? FileManager.default.removeItem(atPath: b); base = nil }
    }
}

/// Warm jails by (uid base, slot); a slot is held by one run at a time, so a jail is never
/// used concurrently.
public final class WarmJails: @unchecked Sendable {
    public static let shared = WarmJails()
    private let lock = NSLock()
    private var jails: [String: WarmJail] = [:]

    func take(_ key: String) -> WarmJail? { lock.lock(); defer { lock.unlock() }; return jails.removeValue(forKey: key) }
    func put(_ key: String, _ j: WarmJail) { lock.lock(); jails[key] = j; lock.unlock() }

    /// Stops every warm jail (tests call it before checking that nothing survives).
    public func closeAll() {
        lock.lock()
        let all = jails.values
        jails = [:]
        lock.unlock()
        for j in all { j.close() }
    }
}
