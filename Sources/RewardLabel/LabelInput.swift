import RewardCore
import RewardVerifiers

/// The input of a label job: valid solutions, per-record errors (named by line and field), and a
/// hash of the input bytes for the job fingerprint.
public struct LabelInput: Sendable {
    public var problems: [LabelProblem] = []
    public var errors: [(line: Int, id: String, message: String)] = []
    public var inputHash: String = ""

    public init() {}

    /// Reads JSONL/JSON/gzip records; a bad record becomes an error entry and the rest are read.
    /// A gold answer the math verifier cannot use is an error of that record.
    /// `requireSteps: false` when the job samples its own solutions (`--sample`).
    public static func read(path: String, requireSteps: Bool = true, verifier: MathVerifier = MathVerifier()) throws -> LabelInput {
        let input = try RecordInput(path: path)
        var out = LabelInput()
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        while true {
            let batch = try input.nextBatch(max: 1024)
            if batch.isEmpty { break }
            for line in batch {
                h = StableHash.mix(h ^ StableHash.fnv1a(bytes: line.bytes))
                do {
                    let o = try line.object()
                    let p = try LabelProblem.parse(o, line: line.number, requireSteps: requireSteps)
                    let self_ = verifier.verify(gold: p.reference, prediction: p.reference)
                    guard self_.correct else {
                        throw RecordError(line: line.number, field: "reference",
                                          "gold answer \(p.reference.debugDescription) cannot be checked (\(self_.reason ?? "not parseable"))")
                    }
                    out.problems.append(p)
                } catch let e as RecordError {
                    let id = (try? line.object())?["id"].flatMap { $0.stringValue ?? $0.intValue.map { String($0) } } ?? "line\(line.number)"
                    out.errors.append((line.number, id, e.description))
                }
            }
        }
        out.inputHash = StableHash.hex(h)
        return out
    }
}
