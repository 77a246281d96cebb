import Foundation
import RewardCore
#if canImport(Glibc)
import Glibc
#endif

/// Resource limits of one jailed run (the launcher applies them; see Sources/rk-sandbox).
public struct SandboxLimits: Sendable, Hashable {
    /// CPU seconds per test (the driver sets it per test child).
    public var timeout: Double = 5
    public var memoryMB = 1024
    public var processes = 64
    public var fileSizeMB = 16
    public var openFiles = 64
    public var stackMB = 256
    /// Bytes kept per stream; more kills the run ("output_limit").
    public var outputCap = 1 << 20
    public init() {}
}

/// How much isolation a run demands. `strict` refuses to run (sandbox_error) unless the launcher
/// reached every layer; `degraded` runs with what the machine allows, marks every result with the
/// isolation reached and warns on stderr once.
public enum IsolationPolicy: String, Sendable, CaseIterable {
    case strict, degraded
}

/// What the launcher reported about one run.
public struct SandboxReport: Sendable {
    public var status: String          // exited, signaled, timeout, output_limit, sandbox_error
    public var exitCode: Int
    public var signal: Int
    public var wallMs: Int
    public var cpuMs: Int
    public var maxRSSKB: Int
    public var isolation: String
    public var error: String?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var fd3: [UInt8]
}

public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}

/// Runs programs under the `rk-sandbox` launcher: one fresh work dir per run, owned by the slot's
/// uid (0700) inside a root-only 0711 dir that also holds the parent's files (job, outputs).
/// Everything is removed after the run.
public struct Sandbox: Sendable {
    public var launcher: String
    public var policy: IsolationPolicy
    public var uidBase: UInt32
    public var isRoot: Bool
    /// Extra launcher flags (tests switch layers off with them to check refusal).
    public var extraLauncherArgs: [String] = []

    public init(launcher: String? = nil, policy: IsolationPolicy = .strict, uidBase: UInt32 = 61000) throws {
        guard let path = launcher ?? Sandbox.findLauncher() else {
            throw SandboxError("rk-sandbox launcher not found (build it with `swift build --product rk-sandbox`, or set REWARDKIT_SANDBOX)")
        }
        self.launcher = path
        self.policy = policy
        self.uidBase = uidBase
        self.isRoot = geteuid() == 0
        if !isRoot && policy == .strict {
            throw SandboxError("the code sandbox needs root to switch to per-slot uids and create namespaces; run as root or set isolation: degraded (rlimits only, loudly reported)")
        }
        if !isRoot { Sandbox.warnOnce("WARNING: rewardkit code sandbox is not root: programs run with rlimits only (no uid switch, no namespaces, no seccomp)") }
    }

    /// $REWARDKIT_SANDBOX, else next to this executable (also true for the test bundle), else PATH.
    public static func findLauncher() -> String? {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["REWARDKIT_SANDBOX"], fm.isExecutableFile(atPath: p) { return p }
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let p = (exe as NSString).deletingLastPathComponent + "/rk-sandbox"
            if fm.isExecutableFile(atPath: p) { return p }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/rk-sandbox"
            if fm.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    private static let warned = LockedCounter()
    static func warnOnce(_ msg: String) {
        if warned.next() == 1 { FileHandle.standardError.write(Data((msg + "\n").utf8)) }
    }

    private static let counter = LockedCounter()

    /// Runs `argv` (absolute program path first) in the jail with the given files in its work dir
    /// and `stdin` fed from a parent-only file. `wallMs` bounds the whole run.
    public func run(slot: Int, files: [String: String], stdin: [UInt8], argv: [String],
                    limits: SandboxLimits, cpuSeconds: Double, wallMs: Int) async throws -> SandboxReport
    {
        let n = Sandbox.counter.next()
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let base = "\(tmp)/rewardkit-sbx-\(getpid())-\(slot)-\(n)"
        let fm = FileManager.default
        try? fm.removeItem(atPath: base)
        guard mkdir(base, 0o700) == 0 else { throw SandboxError("cannot create \(base): \(String(cString: strerror(errno)))") }
        defer { try? fm.removeItem(atPath: base) }
        chmod(base, 0o711)
        let work = base + "/w"
        guard mkdir(work, 0o700) == 0 else { throw SandboxError("cannot create \(work)") }
        let uid = uidBase + UInt32(slot)
        for (name, text) in files {
            let p = work + "/" + name
            guard fm.createFile(atPath: p, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
                throw SandboxError("cannot write \(p)")
            }
        }
        if isRoot { chown(work, uid, uid) }
        let jobPath = base + "/job", outPath = base + "/out", errPath = base + "/err", fd3Path = base + "/fd3"
        let reportPath = base + "/report", launcherErr = base + "/launcher.err"
        guard fm.createFile(atPath: jobPath, contents: Data(stdin), attributes: [.posixPermissions: 0o600]) else {
            throw SandboxError("cannot write \(jobPath)")
        }
        var args = [launcher, "--dir", work, "--uid", "\(uid)", "--gid", "\(uid)",
                    "--cpu", String(format: "%.3f", cpuSeconds), "--wall-ms", "\(wallMs)",
                    "--as-mb", "\(limits.memoryMB)", "--nproc", "\(limits.processes)",
                    "--fsize-mb", "\(limits.fileSizeMB)", "--nofile", "\(limits.openFiles)",
                    "--stack-mb", "\(limits.stackMB)", "--out-cap", "\(limits.outputCap)",
                    "--stdin", jobPath, "--stdout", outPath, "--stderr", errPath, "--fd3", fd3Path]
        if policy == .strict { args.append("--strict") }
        args += extraLauncherArgs
        args.append("--")
        args += argv
        let status = try await Sandbox.spawnAndWait(args, stdoutPath: reportPath, stderrPath: launcherErr)
        let reportBytes = (fm.contents(atPath: reportPath).map { [UInt8]($0) }) ?? []
        guard let obj = (try? JSONParser.parse(bytes: reportBytes))?.objectValue else {
            let err = fm.contents(atPath: launcherErr).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return SandboxReport(status: "sandbox_error", exitCode: -1, signal: 0, wallMs: 0, cpuMs: 0, maxRSSKB: 0,
                                 isolation: "", error: "launcher exited \(status) without a report: \(err.prefix(300))",
                                 stdout: [], stderr: [], fd3: [])
        }
        if let warn = fm.contents(atPath: launcherErr), !warn.isEmpty {
            Sandbox.warnOnce(String(decoding: warn, as: UTF8.self).trimmed)
        }
        func read(_ p: String) -> [UInt8] { fm.contents(atPath: p).map { [UInt8]($0) } ?? [] }
        return SandboxReport(status: obj["status"]?.stringValue ?? "sandbox_error",
                             exitCode: obj["exit_code"]?.intValue ?? -1, signal: obj["signal"]?.intValue ?? 0,
                             wallMs: obj["wall_ms"]?.intValue ?? 0, cpuMs: obj["cpu_ms"]?.intValue ?? 0,
                             maxRSSKB: obj["max_rss_kb"]?.intValue ?? 0, isolation: obj["isolation"]?.stringValue ?? "",
                             error: obj["error"]?.stringValue,
                             stdout: read(outPath), stderr: read(errPath), fd3: read(fd3Path))
    }

    /// posix_spawn with default signal dispositions, an empty signal mask and a minimal environment;
    /// `files` sets up the child's descriptors. One place for both the per-run and the warm launcher.
    static func spawnClean(_ args: [String], files: (inout posix_spawn_file_actions_t) -> Void) -> (pid: pid_t, rc: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        files(&actions)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Children must not inherit a blocked signal mask or ignored signals from this process.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var deflt = sigset_t()
        sigemptyset(&deflt)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGCHLD, SIGHUP] { sigaddset(&deflt, s) }
        posix_spawnattr_setsigdefault(&attr, &deflt)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var env: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { for p in env { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, args[0], &actions, &attr, cargs, &env)
        return (pid, rc)
    }

    /// posix_spawn (no fork in this multithreaded process) with a clean environment; the wait
    /// blocks a dispatch thread, not the cooperative pool.
    static func spawnAndWait(_ args: [String], stdoutPath: String, stderrPath: String) async throws -> Int32 {
        let (pid, rc) = spawnClean(args) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        guard rc == 0 else { throw SandboxError("cannot start \(args[0]): \(String(cString: strerror(rc)))") }
        let p = pid
        return await withCheckedContinuation { (k: CheckedContinuation<Int32, Never>) in
            DispatchQueue.global().async {
                var st: Int32 = 0
                while waitpid(p, &st, 0) < 0 && errno == EINTR {}
                k.resume(returning: st)
            }
        }
    }
}

/// A process-wide counter (run ids, warn-once).
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
