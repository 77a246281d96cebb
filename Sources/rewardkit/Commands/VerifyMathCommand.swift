import ArgumentParser
import Foundation
import RewardCore
import RewardVerifiers

struct VerifyMathCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "math",
        abstract: "Decide whether predicted math answers match gold answers.",
        discussion: """
            Batch: each input line is a JSON object with `gold` and `pred` (pred may be a whole \
            response). Each output line is the input fields plus `correct` (bool), `pred_answer` and \
            `gold_answer` (extracted answers or null), and `reason` when undecided or not comparable \
            (`undecided: true` when a work limit was hit). A malformed line yields \
            {"line": N, "error": "..."} naming the line and field; the rest are still processed. \
            '-' is stdin/stdout; --out may be the input file (written to a temporary and renamed at the \
            end). A truncated or corrupt gzip input is an error (exit 1) after the verdicts for the lines \
            read before it are written. `gold` and `pred` may be strings or numbers (read as their JSON \
            text). Single-shot: --gold and --pred print one verdict.
            """
    )

    @Option(name: .customLong("in"), help: "Input JSONL with `gold` and `pred` ('-' for stdin).")
    var input: String?

    @Option(name: .shortAndLong, help: "Output JSONL ('-' for stdout).")
    var out: String = "-"

    @Option(help: "Gold answer (single-shot mode).")
    var gold: String?

    @Option(help: "Prediction or whole response (single-shot mode).")
    var pred: String?

    @Option(help: "Percent handling: lenient (50% matches 0.5 and 50), fraction, ignore.")
    var percent: String = "lenient"

    @Option(help: "Decimals compared when a side is a decimal number.")
    var floatRounding: Int = 6

    @Option(help: "Worker threads for batch mode.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Longest accepted input line in bytes; longer lines become error records.")
    var maxLineBytes: Int = LineReader.defaultMaxLineBytes

    func validate() throws {
        if input == nil && (gold == nil || pred == nil) { throw ValidationError("give --in FILE, or both --gold and --pred") }
        if input != nil && (gold != nil || pred != nil) { throw ValidationError("--in cannot be combined with --gold/--pred") }
        guard MathVerifyOptions.PercentMode(rawValue: percent) != nil else { throw ValidationError("--percent must be lenient, fraction or ignore") }
        guard (0...15).contains(floatRounding) else { throw ValidationError("--float-rounding must be 0…15") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        guard maxLineBytes >= 2 else { throw ValidationError("--max-line-bytes must be ≥ 2") }
    }

    var options: MathVerifyOptions {
        var o = MathVerifyOptions()
        o.percent = MathVerifyOptions.PercentMode(rawValue: percent)!
        o.floatRounding = floatRounding
        return o
    }

    func run() async throws {
        let verifier = MathVerifier(options: options)
        if let gold, let pred {
            let v = verifier.verify(gold: gold, prediction: pred)
            var o = JSONObject()
            o["gold"] = .string(gold)
            o["pred"] = .string(pred)
            Self.annotate(&o, v)
            print(JSONValue.object(o).jsonString)
            return
        }
        let reader = try RecordInput(path: input!, maxLineBytes: maxLineBytes)
        let sink = try OutputSink(path: out)
        var counts = (lines: 0, correct: 0, undecided: 0, errors: 0)
        do {
            while true {
                let batch = try reader.nextBatch(max: 4096)
                if batch.isEmpty { break }
                let results = await Self.process(batch, verifier: verifier, threads: threads)
                var w = JSONWriter(capacity: 1 << 16)
                for r in results {
                    counts.lines += 1
                    switch r {
                    case .failure(let msg):
                        counts.errors += 1
                        w.write(.object(msg))
                    case .success(let (obj, v)):
                        if v.correct { counts.correct += 1 }
                        if v.undecided { counts.undecided += 1 }
                        w.write(.object(obj))
                    }
                    w.bytes.append(10)
                }
                try sink.write(w.bytes)
            }
        } catch {
            // Every verdict before a failed input stream is published; the exit code is 1.
            try sink.close()
            throw error
        }
        try sink.close()
        FileHandle.standardError.write(Data("verify math: \(counts.lines) lines, \(counts.correct) correct, \(counts.undecided) undecided, \(counts.errors) errors\n".utf8))
    }

    enum LineResult: Sendable {
        case success((JSONObject, MathVerdict))
        case failure(JSONObject)
    }

    static func process(_ batch: [InputLine], verifier: MathVerifier, threads: Int) async -> [LineResult] {
        let n = batch.count
        let chunks = max(1, min(threads, n))
        return await withTaskGroup(of: (Int, [LineResult]).self) { g in
            for c in 0..<chunks {
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                let slice = Array(batch[lo..<hi])
                g.addTask { (c, slice.map { handle($0, verifier) }) }
            }
            var parts = [[LineResult]](repeating: [], count: chunks)
            for await (c, r) in g { parts[c] = r }
            return parts.flatMap { $0 }
        }
    }

    static func errorRecord(_ line: Int, _ msg: String) -> LineResult {
        .failure(JSONObject([JSONMember("line", .number(Double(line))), JSONMember("error", .string(msg))]))
    }

    static func handle(_ line: InputLine, _ verifier: MathVerifier) -> LineResult {
        var obj: JSONObject
        do { obj = try line.object() } catch {
            return errorRecord(line.number, "\(error)")
        }
        let g: String, p: String
        do {
            g = try RecordDecoder.answerText(obj, "gold", line: line.number, required: true)!
            p = try RecordDecoder.answerText(obj, "pred", line: line.number, required: true)!
        } catch {
            return errorRecord(line.number, "\(error)")
        }
        let v = verifier.verify(gold: g, prediction: p)
        annotate(&obj, v)
        return .success((obj, v))
    }

    static func annotate(_ o: inout JSONObject, _ v: MathVerdict) {
        o["correct"] = .bool(v.correct)
        o["pred_answer"] = v.predAnswer.map { .string($0) } ?? .null
        o["gold_answer"] = v.goldAnswer.map { .string($0) } ?? .null
        if v.undecided { o["undecided"] = .bool(true) }
        if let r = v.reason, v.undecided || !v.correct { o["reason"] = .string(r) }
    }
}
