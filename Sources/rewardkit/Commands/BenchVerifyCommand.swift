import ArgumentParser
import Foundation
import RewardCore
import RewardVerifiers

/// `rewardkit bench verify`: math verifier throughput and latency on the differential
/// corpus and on its full-length responses, side by side with math-verify in the same run.
struct BenchVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Math verifier speed vs math-verify.",
        discussion: """
            Measures pairs/s on 1 and 2 threads and p50/p99/max latency per pair (extraction + parse + \
            equivalence) on (a) all pairs of the corpus and (b) its pairs whose prediction is a full \
            response (≥ --min-response-bytes). When --python exists (a venv with math-verify 0.9.0), \
            scripts/math/time_math_verify.py times math-verify on the same pairs (capped at --mv-limit \
            per set), on 1 and 2 processes, and the speed ratio is reported.
            """
    )

    @Option(help: "JSONL with gold/pred pairs.")
    var corpus: String = "Tests/RewardVerifiersTests/Fixtures/math/corpus.jsonl"

    @Option(help: "Python with math-verify installed (skipped if missing).")
    var python: String = ".venv-math/bin/python"

    @Option(help: "math-verify timing script.")
    var mvScript: String = "scripts/math/time_math_verify.py"

    @Option(help: "Pairs per set timed with math-verify (it is slow).")
    var mvLimit: Int = 1500

    @Option(help: "Minimum prediction length for the full-response set.")
    var minResponseBytes: Int = 200

    @Option(help: "Minimum seconds per timing of ours (repeats the set).")
    var seconds: Double = 2

    @Option(help: "Write the results as JSON here too.")
    var json: String?

    struct Pair: Sendable { var gold: String; var pred: String }

    struct Timing: Sendable {
        var n: Int
        var pairsPerSecond: Double
        var p50: Double, p99: Double, max: Double
    }

    func run() async throws {
        let reader = try LineReader(path: corpus)
        var all: [Pair] = []
        while let l = try reader.next() {
            guard let o = try? JSONParser.parse(bytes: l.bytes), let g = o["gold"]?.stringValue, let p = o["pred"]?.stringValue else { continue }
            all.append(Pair(gold: g, pred: p))
        }
        guard !all.isEmpty else { throw ConfigError("no gold/pred pairs in \(corpus)") }
        let long = all.filter { $0.pred.utf8.count >= minResponseBytes }
        let verifier = MathVerifier()
        var report: [String: JSONValue] = [:]
        var lines = ["| set | pairs | engine | threads | pairs/s | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|---|---|---|"]
        for (name, set) in [("corpus", all), ("full responses", long)] where !set.isEmpty {
            let one = measure(set, verifier, threads: 1)
            let two = measure(set, verifier, threads: 2)
            lines.append(row(name, set.count, "rewardkit", 1, one))
            lines.append(row(name, set.count, "rewardkit", 2, two))
            var entry: [String: JSONValue] = ["pairs": .number(Double(set.count)), "ours_1": json(one), "ours_2": json(two)]
            if FileManager.default.isExecutableFile(atPath: python) {
                let sub = Array(set.prefix(mvLimit))
                for jobs in [1, 2] {
                    if let mv = try runMathVerify(sub, jobs: jobs) {
                        lines.append(row(name, sub.count, "math-verify", jobs, mv))
                        entry["mv_\(jobs)"] = json(mv)
                        if jobs == 1 {
                            let ratio = one.pairsPerSecond / mv.pairsPerSecond
                            lines.append("| \(name) | | **speed ratio (1 thread)** | | **\(String(format: "%.0f", ratio))×** | | | |")
                            entry["speedup_1"] = .number(ratio)
                        }
                    }
                }
            } else {
                lines.append("| \(name) | | math-verify | | (skipped: \(python) not found) | | | |")
            }
            report[name] = .object(JSONObject(entry.sorted { $0.key < $1.key }.map { JSONMember($0.key, $0.value) }))
        }
        // The gold-parse cache's worst case: no gold ever repeats (every round gets new ones).
        lines.append("")
        lines.append("| gold-parse cache, 2 threads | pairs/s cache on | pairs/s cache off | on / off |")
        lines.append("|---|---|---|---|")
        for (name, distinct) in [("distinct golds (worst case)", true), ("corpus golds (repeating)", false)] {
            let on = throughput(all, cacheCapacity: 4096, distinctGolds: distinct)
            let off = throughput(all, cacheCapacity: 0, distinctGolds: distinct)
            lines.append("| \(name) | \(String(format: "%.0f", on)) | \(String(format: "%.0f", off)) | \(String(format: "%.3f", on / off)) |")
            report["gold_cache_\(distinct ? "distinct" : "repeating")"] = ["on_pairs_per_s": .number(on), "off_pairs_per_s": .number(off)]
        }
        print(lines.joined(separator: "\n"))
        if let json {
            let v = JSONValue.object(JSONObject(report.sorted { $0.key < $1.key }.map { JSONMember($0.key, $0.value) }))
            try Data((v.jsonString + "\n").utf8).write(to: URL(fileURLWithPath: json))
        }
    }

    func row(_ set: String, _ n: Int, _ engine: String, _ threads: Int, _ t: Timing) -> String {
        "| \(set) | \(n) | \(engine) | \(threads) | \(String(format: "%.0f", t.pairsPerSecond)) | \(String(format: "%.4f", t.p50)) | \(String(format: "%.3f", t.p99)) | \(String(format: "%.3f", t.max)) |"
    }

    func json(_ t: Timing) -> JSONValue {
        ["pairs_per_s": .number(t.pairsPerSecond), "p50_ms": .number(t.p50), "p99_ms": .number(t.p99), "max_ms": .number(t.max)]
    }

    /// Repeats the set until `seconds` have passed; latencies are per pair, throughput is
    /// pairs over wall time with `threads` workers each taking every threads-th pair.
    func measure(_ set: [Pair], _ v: MathVerifier, threads: Int) -> Timing {
        for p in set.prefix(200) { _ = v.verify(gold: p.gold, prediction: p.pred) }
        let sink = LatencySink()
        var done = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        repeat {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var local: [Double] = []
                local.reserveCapacity(set.count / threads + 1)
                var i = t
                while i < set.count {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = v.verify(gold: set[i].gold, prediction: set[i].pred)
                    local.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    i += threads
                }
                sink.add(local)
            }
            done += set.count
        } while DispatchTime.now().uptimeNanoseconds < deadline
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let lat = sink.values.sorted()
        return Timing(n: lat.count, pairsPerSecond: Double(done) / wall, p50: lat[lat.count / 2],
                      p99: lat[min(lat.count - 1, Int(Double(lat.count) * 0.99))], max: lat.last!)
    }

    /// Pairs/s on 2 threads for `seconds`, one verifier with the given gold cache; with
    /// `distinctGolds` each pair's gold is a number never used before (the preds stay).
    func throughput(_ set: [Pair], cacheCapacity: Int, distinctGolds: Bool) -> Double {
        let v = MathVerifier(goldCacheCapacity: cacheCapacity)
        var done = 0
        let start = DispatchTime.now().uptimeNanoseconds
        repeat {
            let base = done
            DispatchQueue.concurrentPerform(iterations: 2) { t in
                var i = t
                while i < set.count {
                    _ = v.verify(gold: distinctGolds ? String(1_000_000 + base + i) : set[i].gold, prediction: set[i].pred)
                    i += 2
                }
            }
            done += set.count
        } while DispatchTime.now().uptimeNanoseconds < start + UInt64(seconds * 1e9)
        return Double(done) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    func runMathVerify(_ set: [Pair], jobs: Int) throws -> Timing? {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("rk-bench-verify-\(getpid()).jsonl")
        var w = JSONWriter(capacity: 1 << 20)
        for p in set {
            w.write(.object(JSONObject([JSONMember("gold", .string(p.gold)), JSONMember("pred", .string(p.pred))])))
            w.bytes.append(10)
        }
        try Data(w.bytes).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        // `jobs` separate processes, each timing every jobs-th pair, started together.
        var procs: [(Process, Pipe)] = []
        for k in 0..<jobs {
            let proc = Process()
            proc.executableURL = URL(fileURLWithPath: python)
            proc.arguments = [mvScript, tmp.path, "--shard", String(k), "--of", String(jobs)]
            let out = Pipe()
            proc.standardOutput = out
            proc.standardError = FileHandle.nullDevice
            try proc.run()
            procs.append((proc, out))
        }
        var lat: [Double] = []
        var wall = 0.0
        for (proc, out) in procs {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            proc.waitUntilExit()
            guard proc.terminationStatus == 0, let o = try? JSONParser.parse(data), let w = o["wall_s"]?.doubleValue,
                  let l = o["lat_ms"]?.arrayValue else {
                FileHandle.standardError.write(Data("bench verify: math-verify timing failed (exit \(proc.terminationStatus))\n".utf8))
                return nil
            }
            wall = max(wall, w)
            lat.append(contentsOf: l.compactMap(\.doubleValue))
        }
        lat.sort()
        guard !lat.isEmpty, wall > 0 else { return nil }
        return Timing(n: lat.count, pairsPerSecond: Double(lat.count) / wall, p50: lat[lat.count / 2],
                      p99: lat[min(lat.count - 1, Int(Double(lat.count) * 0.99))], max: lat.last!)
    }
}

/// Collects per-thread latencies under a lock.
final class LatencySink: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Double] = []
    func add(_ xs: [Double]) { lock.lock(); values.append(contentsOf: xs); lock.unlock() }
}
