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
        // The streaming core `score` runs on: workers verify and serialize slices, in order.
        let buffers = BufferPool()  // output buffers, back to the workers once written
        let stream = LineStream(concurrency: threads) { lines in Self.process(lines, verifier: verifier, buffers: buffers) }
        var counts = VerifiedSlice()
        // Every verdict before a failed input stream is published; the exit code is then 1.
        try await sink.publishing {
            try await stream.run(input: reader) { slice in
                counts.add(slice)
                try sink.write(slice.bytes)
                buffers.give(slice.bytes)
            }
        }
        FileHandle.standardError.write(Data("verify math: \(counts.lines) lines, \(counts.correct) correct, \(counts.undecided) undecided, \(counts.errors) errors\n".utf8))
    }

    /// Output lines of one slice and their counts.
    struct VerifiedSlice: Sendable {
        var bytes: [UInt8] = []
        var lines = 0, correct = 0, undecided = 0, errors = 0

        mutating func add(_ o: VerifiedSlice) {
            lines += o.lines
            correct += o.correct
            undecided += o.undecided
            errors += o.errors
        }
    }

    /// Each line becomes the input line with the verdict fields spliced in before its closing
    /// brace (the input bytes are kept), or {"line": N, "error": …}.
    static func process(_ lines: [InputLine], verifier: MathVerifier, buffers: BufferPool? = nil) -> VerifiedSlice {
        var s = VerifiedSlice()
        let capacity = lines.reduce(0) { $0 + $1.slice.count } + lines.count * 96
        var w = JSONWriter(capacity: capacity, reusing: buffers)
        for line in lines {
            s.lines += 1
            switch handle(line, verifier) {
            case .failure(let record):
                s.errors += 1
                OutputLine.make(raw: nil, object: record, additions: [], into: &w)
            case .success(let (obj, v, replaces)):
                if v.correct { s.correct += 1 }
                if v.undecided { s.undecided += 1 }
                let add = verdictFields(v)
                // Without a verdict key in the line, its bytes are spliced without checking each addition.
                if replaces || !OutputLine.splice(raw: line.slice, additions: add, into: &w) {
                    OutputLine.make(raw: line.slice, object: obj, additions: add, into: &w)
                }
            }
        }
        s.bytes = w.bytes
        return s
    }

    enum LineResult: Sendable {
        /// The line's object, its verdict, and whether the line has a verdict key (so the output replaces it).
        case success((JSONObject, MathVerdict, Bool))
        case failure(JSONObject)
    }

    static func errorRecord(_ line: Int, _ msg: String) -> LineResult {
        .failure(JSONObject([JSONMember("line", .number(Double(line))), JSONMember("error", .string(msg))]))
    }

    /// The parsed line and its verdict, or the error record naming line and field.
    static func handle(_ line: InputLine, _ verifier: MathVerifier) -> LineResult {
        var obj: JSONObject
        var replaces: Bool
        do {
            // Only gold, pred and the keys a verdict writes are built; when the line already
            // has a verdict key, the whole object is parsed so the output replaces it.
            obj = try line.object(filter: readKeys)
            replaces = verdictKeys.contains(where: { obj.contains(recordKey: $0) })
            if replaces { obj = try line.object() }
        } catch {
            return errorRecord(line.number, "\(error)")
        }
        let g: String, p: String
        do {
            g = try RecordDecoder.answerText(obj.value(recordKey: "gold"), "gold", line: line.number, required: true)!
            p = try RecordDecoder.answerText(obj.value(recordKey: "pred"), "pred", line: line.number, required: true)!
        } catch {
            return errorRecord(line.number, "\(error)")
        }
        return .success((obj, verifier.verify(gold: g, prediction: p), replaces))
    }

    static let verdictKeys = ["correct", "pred_answer", "gold_answer", "undecided", "reason"]
    static let readKeys = JSONKeyFilter(build: Set(["gold", "pred"] + verdictKeys))

    /// The fields a verdict adds, in output order.
    static func verdictFields(_ v: MathVerdict) -> [JSONMember] {
        var f = [JSONMember("correct", .bool(v.correct)),
                 JSONMember("pred_answer", v.predAnswer.map { .string($0) } ?? .null),
                 JSONMember("gold_answer", v.goldAnswer.map { .string($0) } ?? .null)]
        if v.undecided { f.append(JSONMember("undecided", .bool(true))) }
        if let r = v.reason, v.undecided || !v.correct { f.append(JSONMember("reason", .string(r))) }
        return f
    }

    static func annotate(_ o: inout JSONObject, _ v: MathVerdict) {
        for m in verdictFields(v) { o[m.key] = m.value }
    }
}
