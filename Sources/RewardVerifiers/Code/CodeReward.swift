import Foundation
import RewardCore

/// `type: code` — runs the response's program against the record's tests in the sandbox.
///
///     - type: code
///       reward: binary        # binary | fraction | first_k
///       k: 10                 # first_k: the first k tests, fraction passed
///       comparison: lcb       # lcb | sandboxfusion | exact (stdin/stdout tests)
///       extract: last_block   # last_block | first_block | whole
///       timeout: 5            # CPU seconds per test
///       memory_mb: 1024
///       isolation: strict     # strict | degraded
///
/// Results are judged in the parent: exit status alone never passes a test (the driver must
/// report the run's nonce after the asserts), and call results are compared as JSON here.
public struct CodeReward: RewardFunction {
    public enum Shaping: String, Sendable, CaseIterable { case binary, fraction, firstK = "first_k" }

    public var executor: CodeExecutor
    public var shaping: Shaping = .binary
    public var k = 10
    public var maxTests: Int?
    public var extraction: CodeExtraction = .lastBlock
    public var requireBlock = false
    public var workers: Int
    public var kind: String { "code" }

    public init(executor: CodeExecutor, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.executor = executor
        self.workers = max(1, workers)
    }

    public init(options o: inout ComponentOptions) throws {
        let policy = IsolationPolicy(rawValue: try o.choice("isolation", IsolationPolicy.allCases.map(\.rawValue), default: "strict"))!
        let sandbox: Sandbox
        let uidBase = try o.int("uid_base", default: 61000)
        guard (1000...4_000_000_000).contains(uidBase) else { throw ConfigError("reward '\(o.name)' (type code): field 'uid_base' must be an unprivileged uid (≥ 1000)") }
        do { sandbox = try Sandbox(launcher: try o.string("launcher"), policy: policy, uidBase: UInt32(uidBase)) } catch {
            throw ConfigError("reward '\(o.name)' (type code): \(error)")
        }
        var ex = CodeExecutor(sandbox: sandbox)
        ex.language = CodeLanguage(rawValue: try o.choice("language", CodeLanguage.allCases.map(\.rawValue), default: "python"))!
        ex.interpreter = try o.string("interpreter")
        ex.comparison = OutputComparison(rawValue: try o.choice("comparison", OutputComparison.allCases.map(\.rawValue), default: "lcb"))!
        var l = SandboxLimits()
        l.timeout = try o.double("timeout", default: l.timeout)
        l.memoryMB = try o.int("memory_mb", default: l.memoryMB)
        l.processes = try o.int("max_processes", default: l.processes)
        l.outputCap = try o.int("output_cap", default: l.outputCap)
        guard l.timeout > 0, l.timeout <= 600 else { throw ConfigError("reward '\(o.name)' (type code): field 'timeout' must be in (0, 600]") }
        guard l.memoryMB >= 64 else { throw ConfigError("reward '\(o.name)' (type code): field 'memory_mb' must be ≥ 64") }
        guard l.processes >= 4 else { throw ConfigError("reward '\(o.name)' (type code): field 'max_processes' must be ≥ 4") }
        ex.limits = l
        ex.warm = try o.bool("warm", default: true)
        self.init(executor: ex, workers: try o.int("workers", default: ProcessInfo.processInfo.activeProcessorCount))
        shaping = Shaping(rawValue: try o.choice("reward", Shaping.allCases.map(\.rawValue), default: "binary"))!
        k = try o.int("k", default: 10)
        maxTests = try o.int("max_tests")
        extraction = CodeExtraction(rawValue: try o.choice("extract", CodeExtraction.allCases.map(\.rawValue), default: "last_block"))!
        requireBlock = try o.bool("require_block", default: false)
        guard k >= 1 else { throw ConfigError("reward '\(o.name)' (type code): field 'k' must be ≥ 1") }
    }

    public func score(_ samples: [Sample], context: ScoringContext) async throws -> [RewardResult] {
        var out = [RewardResult?](repeating: nil, count: samples.count)
        await withTaskGroup(of: (Int, RewardResult).self) { g in
            var next = 0
            func add() {
                guard next < samples.count else { return }
                let i = next
                next += 1
                g.addTask { (i, await self.score(samples[i])) }
            }
            for _ in 0..<min(workers, samples.count) { add() }
            for await (i, r) in g {
                out[i] = r
                add()
            }
        }
        return out.map { $0! }
    }

    public func score(_ s: Sample) async -> RewardResult {
        guard let code = extraction.extract(from: s.response, requireBlock: requireBlock) else {
            return RewardResult(reward: 0, passed: false, diagnostics: JSONObject(["status": "format_error"]))
        }
        var task: CodeTask
        do { task = try CodeTask.from(fields: s.fields, prompt: s.prompt.text, code: code) } catch {
            return .failure("\(error)")
        }
        let total = task.tests.count
        if let m = maxTests, task.tests.count > m { task.tests = Array(task.tests.prefix(m)) }
        if shaping == .firstK, task.tests.count > k { task.tests = Array(task.tests.prefix(k)) }
        let r = await executor.run(task, stopAfterFail: shaping == .binary)
        let run = task.tests.count
        let passed = r.testsPassed
        let reward: Double
        switch shaping {
        case .binary: reward = r.status == "passed" && passed == run ? 1 : 0
        case .fraction, .firstK: reward = run == 0 ? 0 : Double(passed) / Double(run)
        }
        var d = JSONObject()
        d["status"] = .string(r.status)
        d["tests_total"] = .number(Double(shaping == .firstK ? run : total))
        d["tests_run"] = .number(Double(r.verdicts.count))
        d["tests_passed"] = .number(Double(passed))
        d["pass_fraction"] = .number(run == 0 ? 0 : Double(passed) / Double(run))
        if let i = r.verdicts.firstIndex(where: { $0.status != "passed" }) {
            var f = r.verdicts[i].json.objectValue ?? JSONObject()
            f["test"] = .number(Double(i))
            d["first_failure"] = .object(f)
        }
        if let e = r.error { d["error"] = .string(e) }
        d["isolation"] = .string(r.isolation)
        d["tests"] = .array(r.verdicts.map(\.json))
        return RewardResult(reward: reward, passed: reward >= 1, diagnostics: d)
    }
}

extension RewardRegistry {
    /// Execution rewards (`code`; `sql` is added by its own file).
    public static var execution: RewardRegistry {
        var r = RewardRegistry()
        r.register("code", summary: "run the response's program against tests in the rk-sandbox jail (binary/fraction/first_k)") { o in
            try CodeReward(options: &o)
        }
        return r
    }
}
