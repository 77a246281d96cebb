import ArgumentParser
import Foundation
import RewardCore

/// Measures `rewardkit score` throughput on a synthetic JSONL file with format +
/// length + exact-match components, and the peak RSS of the process.
struct BenchScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Throughput of the scoring pipeline (format + length + exact match) on synthetic JSONL."
    )

    @Option(help: "Number of lines to generate.")
    var lines: Int = 100_000

    @Option(help: "Worker tasks.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Repetitions (the best is reported).")
    var repeats: Int = 3

    @Option(help: "Directory for the generated files.")
    var workdir: String = NSTemporaryDirectory()

    @Option(help: "Python for the reference run (scripts/bench/score_reference.py); 'none' skips it.")
    var python: String = "/usr/bin/python3"

    static let spec = """
        rewards:
          - name: format
            type: format
            pattern: "^<think>.*</think><answer>.*</answer>$"
            gate: true
          - name: exact
            type: exact
            weight: 1.0
          - name: length
            type: length
            target: 64
            correct_from: exact
            weight: 0.5
        """

    func run() async throws {
        let input = (workdir as NSString).appendingPathComponent("rewardkit-bench-score.jsonl")
        let output = (workdir as NSString).appendingPathComponent("rewardkit-bench-score.out.jsonl")
        try SyntheticScoreData.write(lines: lines, to: input)
        let spec = try RewardSpec.parse(yaml: Self.spec)
        let reward = try spec.build(registry: StandardRegistry.registry)
        var best = Double.infinity
        var summary = ScoreSummary()
        for _ in 0..<max(1, repeats) {
            var p = ScoringPipeline(reward: reward)
            p.concurrency = threads
            let sink = try OutputSink(path: output)
            summary = try await p.run(input: try RecordInput(path: input), output: sink)
            try sink.close()
            best = min(best, summary.seconds)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
        var o = JSONObject()
        o["lines"] = .number(Double(lines))
        o["input_mb"] = .number((Double(size) / 1e6 * 10).rounded() / 10)
        o["threads"] = .number(Double(threads))
        o["best_seconds"] = .number((best * 1000).rounded() / 1000)
        o["samples_per_second"] = .number((Double(lines) / best).rounded())
        o["errors"] = .number(Double(summary.errors))
        o["peak_rss_mb"] = .number(PeakRSS.megabytes())
        if python != "none", FileManager.default.isExecutableFile(atPath: python) {
            // Same file, same three rewards, in the Python style RLVR recipes use.
            let refOut = output + ".reference"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = ["scripts/bench/score_reference.py", input, refOut]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            if p.terminationStatus == 0, case .object(let ref)? = try? JSONParser.parse(data),
               let secs = ref["seconds"]?.doubleValue, secs > 0
            {
                o["reference"] = .string("python3 json + re (scripts/bench/score_reference.py), 1 process")
                o["reference_samples_per_second"] = .number((Double(lines) / secs).rounded())
                o["speedup"] = .number((secs / best * 100).rounded() / 100)
                o["reward_mismatches"] = .number(Double(try Self.mismatches(output, refOut)))
            }
        }
        print(JSONValue.object(o).jsonString)
    }
}

extension BenchScoreCommand {
    /// Lines whose `reward` differs between our output and the reference's.
    static func mismatches(_ a: String, _ b: String) throws -> Int {
        let ra = try RecordInput(path: a), rb = try RecordInput(path: b)
        var n = 0
        while true {
            let la = try ra.nextBatch(max: 4096), lb = try rb.nextBatch(max: 4096)
            if la.isEmpty && lb.isEmpty { break }
            guard la.count == lb.count else { return n + abs(la.count - lb.count) }
            for (x, y) in zip(la, lb) {
                let rx = try? JSONParser.parse(bytes: x.bytes)["reward"]?.doubleValue
                let ry = try? JSONParser.parse(bytes: y.bytes)["reward"]?.doubleValue
                guard let rx, let ry else { n += 1; continue }
                if abs(rx - ry) > 1e-12 { n += 1 }
            }
        }
        return n
    }
}

enum SyntheticScoreData {
    /// Deterministic mix of well-formed, malformed, correct and wrong responses.
    static func write(lines: Int, to path: String) throws {
        let sink = try OutputSink(path: path)
        var w = JSONWriter(capacity: 1 << 20)
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for i in 0..<lines {
            let a = Int(next() % 1000), b = Int(next() % 1000)
            let good = next() % 4 != 0
            let right = next() % 3 != 0
            let think = String(repeating: "We add the numbers carefully. ", count: Int(next() % 6) + 1)
            let ans = right ? a + b : a + b + 1
            let resp = good ? "<think>\(think)</think><answer>\(ans)</answer>" : "The answer is \(ans)"
            let o: JSONObject = ["id": .string("s\(i)"), "prompt": .string("What is \(a) + \(b)?"),
                                 "response": .string(resp), "reference": .string(String(a + b))]
            w.write(.object(o))
            w.bytes.append(0x0A)
            if w.bytes.count > 1 << 20 { try sink.write(w.bytes); w.bytes.removeAll(keepingCapacity: true) }
        }
        try sink.write(w.bytes)
        try sink.close()
    }
}

enum PeakRSS {
    /// VmHWM from /proc/self/status, in MB (Linux).
    static func megabytes() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return (kb / 1024 * 10).rounded() / 10
    }
}
