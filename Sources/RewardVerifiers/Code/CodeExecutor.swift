import Foundation
import RewardCore

/// The outcome of one test. `status`: passed, failed, timeout, memory, runtime_error,
/// output_limit, sandbox_error.
public struct CodeTestVerdict: Sendable {
    public var status: String
    public var exitCode = -1
    public var signal = 0
    public var wallMs = 0
    public var cpuMs = 0
    public var maxRSSKB = 0
    public var stdoutHead = ""
    public var stderrHead = ""
    public var reason: String?

    public var json: JSONValue {
        var o = JSONObject()
        o["status"] = .string(status)
        o["exit_code"] = .number(Double(exitCode))
        o["signal"] = .number(Double(signal))
        o["wall_ms"] = .number(Double(wallMs))
        o["cpu_ms"] = .number(Double(cpuMs))
        o["max_rss_kb"] = .number(Double(maxRSSKB))
        if !stdoutHead.isEmpty { o["stdout_head"] = .string(stdoutHead) }
        if !stderrHead.isEmpty { o["stderr_head"] = .string(stderrHead) }
        if let reason { o["reason"] = .string(reason) }
        return .object(o)
    }
}

/// All tests of one sample. `status`: passed, wrong_answer, runtime_error, compile_error, timeout,
/// memory_limit, output_limit, sandbox_error.
public struct CodeRunResult: Sendable {
    public var status: String
    public var verdicts: [CodeTestVerdict]
    public var testsTotal: Int
    public var isolation: String
    public var wallMs: Int
    public var error: String?
    public var testsPassed: Int { verdicts.filter { $0.status == "passed" }.count }
}

/// Runs a `CodeTask` in the sandbox and judges the outcomes in the parent.
public struct CodeExecutor: Sendable {
    public var sandbox: Sandbox
    public var language: CodeLanguage = .python
    public var interpreter: String?
    public var limits = SandboxLimits()
    public var comparison: OutputComparison = .lcb
    public var slots: SandboxSlots = .shared
    /// Reuse one jail per slot across samples (strict isolation only); off: one jail per sample.
    public var warm = true
    static let strictIsolation = "uid,rlimits,pidns,netns,mntns,seccomp"

    public init(sandbox: Sandbox) { self.sandbox = sandbox }

    static func nonce() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(g.next() as UInt64, radix: 16) }.joined()
    }

    public func run(_ task: CodeTask, stopAfterFail: Bool = false) async -> CodeRunResult {
        let nonce = CodeExecutor.nonce()
        var job = JSONObject()
        job["nonce"] = .string(nonce)
        job["mode"] = .string(task.mode.rawValue)
        job["timeout"] = .number(limits.timeout)
        job["output_cap"] = .number(Double(limits.outputCap))
        job["code"] = .string(task.code)
        job["stop_after_fail"] = .bool(stopAfterFail)
        if let e = task.entryPoint { job["entry_point"] = .string(e) }
        if let f = task.fnName { job["fn_name"] = .string(f) }
        // Only inputs and assert code enter the jail; expected outputs stay here.
        job["tests"] = .array(task.tests.map { t in
            var o = JSONObject()
            o["input"] = .string(t.input)
            if !t.code.isEmpty { o["code"] = .string(t.code) }
            return .object(o)
        })
        let n = task.tests.count
        let budget = Double(n) * (limits.timeout + 1) + 10  // start-up and slack under load
        let slot = await slots.acquire(uidBase: sandbox.uidBase)
        let jobBytes = Array(JSONValue.object(job).jsonString.utf8)
        if warm && sandbox.policy == .strict {
            let key = "\(sandbox.uidBase)-\(slot)"
            let (sb, lang, interp, lim) = (sandbox, language, interpreter, limits)
            let got: (out: [UInt8], status: String)? = await withCheckedContinuation { k in
                DispatchQueue.global().async {
                    guard let jail = WarmJails.shared.take(key) ?? (try? WarmJail.start(sb, slot: slot, language: lang, interpreter: interp, limits: lim)) else {
                        k.resume(returning: nil)
                        return
                    }
                    let r = jail.run(job: jobBytes, nonce: nonce, wallMs: Int(budget * 1000))
                    if r.status == "exited" { WarmJails.shared.put(key, jail) } else { jail.close() }
                    k.resume(returning: r)
                }
            }
            if let got {
                await slots.release(slot)
                let rep = SandboxReport(status: got.status, exitCode: got.status == "exited" ? 0 : -1, signal: 0, wallMs: 0, cpuMs: 0,
                                        maxRSSKB: 0, isolation: CodeExecutor.strictIsolation + ",warm", error: nil,
                                        stdout: [], stderr: [], fd3: got.out)
                return judge(task, report: rep, nonce: nonce)
            }
            // The warm jail could not start: fall back to one jail per sample, which reports why.
        }
        let report: SandboxReport
        do {
            report = try await sandbox.run(slot: slot, files: language.files, stdin: jobBytes,
                                           argv: language.argv(interpreter: interpreter), limits: limits,
                                           cpuSeconds: budget, wallMs: Int(budget * 1000))
        } catch {
            await slots.release(slot)
            return CodeRunResult(status: "sandbox_error", verdicts: [], testsTotal: n, isolation: "", wallMs: 0, error: "\(error)")
        }
        await slots.release(slot)
        return judge(task, report: report, nonce: nonce)
    }

    func judge(_ task: CodeTask, report: SandboxReport, nonce: String) -> CodeRunResult {
        let n = task.tests.count
        var result = CodeRunResult(status: "passed", verdicts: [], testsTotal: n, isolation: report.isolation, wallMs: report.wallMs)
        if report.status == "sandbox_error" {
            result.status = "sandbox_error"
            result.error = report.error ?? "sandbox error"
            return result
        }
        var done = false
        var records: [Int: JSONObject] = [:]
        for line in report.fd3.split(separator: 10) {
            guard let o = (try? JSONParser.parse(bytes: Array(line)))?.objectValue else { continue }
            if let c = o["compile_error"]?.stringValue {
                result.status = "compile_error"
                result.error = c
            } else if o["done"]?.stringValue == nonce {
                done = true
            } else if let i = o["i"]?.intValue, i >= 0, i < n {
                records[i] = o
            }
        }
        if result.status == "compile_error" { return result }
        for i in 0..<n {
            guard let r = records[i] else {
                if done { break }  // stopped after a failure
                // The driver never reported this test: the whole run was cut short.
                let s: String
                switch report.status {
                case "timeout": s = "timeout"
                case "output_limit": s = "output_limit"
                default: s = "runtime_error"
                }
                var v = CodeTestVerdict(status: s)
                v.reason = "run ended before this test reported (launcher: \(report.status))"
                v.stderrHead = String(decoding: report.stderr.prefix(1024), as: UTF8.self)
                result.verdicts.append(v)
                break
            }
            var v = CodeTestVerdict(status: "runtime_error")
            v.exitCode = r["exit_code"]?.intValue ?? -1
            v.signal = r["signal"]?.intValue ?? 0
            v.wallMs = r["wall_ms"]?.intValue ?? 0
            v.cpuMs = r["cpu_ms"]?.intValue ?? 0
            v.maxRSSKB = r["max_rss_kb"]?.intValue ?? 0
            v.stderrHead = r["stderr_head"]?.stringValue ?? ""
            v.stdoutHead = r["stdout_head"]?.stringValue ?? ""
            v.reason = r["reason"]?.stringValue
            let st = r["status"]?.stringValue ?? "runtime_error"
            if st == "ok" {
                switch task.mode {
                case .program:
                    v.status = "passed"
                case .stdio:
                    let out = r["stdout"]?.stringValue ?? ""
                    v.stdoutHead = String(decoding: Array(out.utf8.prefix(1024)), as: UTF8.self)
                    v.status = comparison.matches(out, task.tests[i].expected) ? "passed" : "failed"
                case .call:
                    let got = (r["result"]?.stringValue).flatMap { try? JSONParser.parse($0) }
                    let want = try? JSONParser.parse(task.tests[i].expected)
                    v.stdoutHead = String((r["result"]?.stringValue ?? "").prefix(1024))
                    if let got, let want {
                        v.status = JSONValue.callResultMatches(got, want) ? "passed" : "failed"
                    } else {
                        v.status = "failed"
                        v.reason = want == nil ? "expected output is not JSON" : "result is not JSON"
                    }
                }
            } else {
                v.status = st
            }
            result.verdicts.append(v)
        }
        if let bad = result.verdicts.first(where: { $0.status != "passed" }) {
            switch bad.status {
            case "failed": result.status = "wrong_answer"
            case "memory": result.status = "memory_limit"
            default: result.status = bad.status
            }
        } else if result.verdicts.count < n {
            result.status = "runtime_error"
        }
        return result
    }
}
