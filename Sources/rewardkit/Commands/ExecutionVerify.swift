import ArgumentParser
import Foundation
import RewardCore

/// Shared loop of `verify code` and `verify sql`: each JSONL record is scored by one reward and
/// written back with `reward`, `passed` and the reward's diagnostics; a bad line becomes
/// {"line": N, "error": …} and the rest still run.
enum ExecutionVerify {
    /// The input/output files both execution verifiers take.
    struct Files: ParsableArguments {
        @Option(name: .customLong("in"), help: "Input JSONL ('-' for stdin).")
        var input: String = "-"
        @Option(name: .shortAndLong, help: "Output JSONL ('-' for stdout).")
        var out: String = "-"
    }

    static func run(_ reward: any RewardFunction, files: Files, label: String) async throws {
        let reader = try RecordInput(path: files.input)
        let sink = try OutputSink(path: files.out)
        var counts = (lines: 0, passed: 0, errors: 0)
        let start = Date()
        // Results before a failed input stream are published; the exit code is then 1.
        try await sink.publishing {
            while true {
                let batch = try reader.nextBatch(max: 256)
                if batch.isEmpty { break }
                var objs: [JSONObject?] = []
                var samples: [Sample] = []
                var errors: [Int: String] = [:]
                for (k, l) in batch.enumerated() {
                    do {
                        let o = try l.object()
                        guard case .single(let s) = try RecordDecoder.decode(o, line: l.number) else {
                            throw RecordError(line: l.number, "expected one response, not a preference pair")
                        }
                        objs.append(o)
                        samples.append(s)
                    } catch {
                        errors[k] = error is RecordError ? "\(error)" : "line \(l.number): \(error)"
                        objs.append(nil)
                    }
                }
                let results = try await reward.score(samples)
                var w = JSONWriter(capacity: 1 << 16)
                var r = results.makeIterator()
                for (k, l) in batch.enumerated() {
                    counts.lines += 1
                    guard var o = objs[k] else {
                        counts.errors += 1
                        w.write(.object(JSONObject([JSONMember("line", .number(Double(l.number))), JSONMember("error", .string(errors[k]!))])))
                        w.bytes.append(10)
                        continue
                    }
                    let res = r.next()!
                    if let e = res.error {
                        counts.errors += 1
                        o["reward"] = .null
                        o["error"] = .string("line \(l.number): \(e)")
                    } else {
                        o["reward"] = .number(res.reward)
                        o["passed"] = .bool(res.passed ?? false)
                        if res.passed == true { counts.passed += 1 }
                        for m in res.diagnostics { o[m.key] = m.value }
                    }
                    w.write(.object(o))
                    w.bytes.append(10)
                }
                try sink.write(w.bytes)
            }
        }
        let secs = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "verify %@: %d lines, %d passed, %d errors, %.2f s (%.1f lines/s)\n",
                                                   label, counts.lines, counts.passed, counts.errors, secs,
                                                   Double(counts.lines) / max(secs, 1e-9)).utf8))
    }
}
