import ArgumentParser
import Foundation
import RewardCore
import RewardVerifiers

struct VerifyCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        abstract: "Run programs from responses against their tests in the rk-sandbox jail.",
        discussion: """
            Each input line is a record with `response` and tests: HumanEval `prompt`/`test`/`entry_point`, \
            MBPP `test_list`, stdin/stdout `inputs`/`outputs` or `tests: [{input, output}]` or APPS \
            `input_output`, call-based with `fn_name`. Each output line is the record plus `reward`, `passed`, \
            `status`, `tests_total`, `tests_passed`, `first_failure`, `isolation` and per-test `tests`. \
            Needs root (per-slot uids, namespaces) unless --isolation degraded.
            """
    )

    @OptionGroup var files: ExecutionVerify.Files
    @Option(help: "binary | fraction | first_k")
    var reward: String = "binary"
    @Option(help: "Tests scored in first_k mode.")
    var k: Int = 10
    @Option(help: "stdout comparison: lcb | sandboxfusion | exact")
    var comparison: String = "lcb"
    @Option(help: "Where the code is: last_block | first_block | whole")
    var extract: String = "last_block"
    @Option(help: "CPU seconds per test.")
    var timeout: Double = 5
    @Option(help: "Address-space limit per program (MiB).")
    var memoryMb: Int = 1024
    @Option(help: "Samples run at once (one jail each).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "strict (refuse unless every layer is up) | degraded (run with what is available, loudly)")
    var isolation: String = "strict"

    func run() async throws {
        var f = JSONObject()
        f["reward"] = .string(reward)
        f["k"] = .number(Double(k))
        f["comparison"] = .string(comparison)
        f["extract"] = .string(extract)
        f["timeout"] = .number(timeout)
        f["memory_mb"] = .number(Double(memoryMb))
        f["workers"] = .number(Double(workers))
        f["isolation"] = .string(isolation)
        var o = ComponentOptions(name: "code", type: "code", fields: f)
        let r: CodeReward
        do { r = try CodeReward(options: &o); try o.finish() } catch { throw ValidationError("\(error)") }
        try await ExecutionVerify.run(r, files: files, label: "code")
    }
}
