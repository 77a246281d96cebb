import Foundation
import RewardCore
import RewardSearch

/// Runs a label job: registers the input's solutions in the store, then workers claim solutions one
/// at a time and label them with the job's method; the output is written from the store in input
/// order, so an interrupted-and-resumed job writes the same bytes as an uninterrupted one.
public struct LabelJob: Sendable {
    public let parameters: LabelParameters
    public let store: LabelJobStore
    public let generator: any Generator
    /// Consensus's second opinion; its `name` must be `parameters.annotator` (part of the fingerprint).
    public let annotator: any StepAnnotator

    public init(parameters: LabelParameters, store: LabelJobStore, generator: any Generator,
                annotator: any StepAnnotator = ArithmeticAnnotator()) {
        self.parameters = parameters; self.store = store; self.generator = generator; self.annotator = annotator
    }

    public struct Summary: Sendable, Hashable {
        public var solutions = 0
        public var labeledThisRun = 0
        public var errors = 0
        public var seconds = 0.0
        public var rolloutsStoredBefore = 0
        public var rolloutsStoredAfter = 0
    }

    /// Labels every unfinished solution. `progress(done, total)` after each one.
    public func run(_ input: LabelInput, workers: Int = 1,
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Summary {
        let start = Date()
        // Solution keys: input lines, or with `--sample N` one key per (line, sample index).
        let samples = parameters.sample
        if samples > 0 {
            try store.register(solutions: input.problems.flatMap { p in (0..<samples).map { (LabelProblem.sampleKey(line: p.line, sample: $0), p.id) } },
                               errors: input.errors.map { (LabelProblem.sampleKey(line: $0.line, sample: 0), $0.id, $0.message) })
        } else {
            try store.register(solutions: input.problems.map { ($0.line, $0.id) }, errors: input.errors)
        }
        var summary = Summary()
        summary.solutions = input.problems.count * max(1, samples) + input.errors.count
        summary.rolloutsStoredBefore = try store.rolloutCount()
        let byLine = Dictionary(uniqueKeysWithValues: input.problems.map { ($0.line, $0) })
        let total = summary.solutions
        let labeled = try await withThrowingTaskGroup(of: Int.self) { group in
            for w in 0..<max(1, workers) {
                group.addTask {
                    let worker = WorkerIdentity(worker: w)
                    var n = 0
                    while let key = try store.claimNext(worker: worker) {
                        let line = samples > 0 ? key / LabelProblem.samplesPerLine : key
                        guard let given = byLine[line] else {
                            try store.fail(line: key, error: "line \(line): not in this input")
                            continue
                        }
                        var problem = given
                        do {
                            if samples > 0 {
                                problem.sample = key % LabelProblem.samplesPerLine
                                problem = try await SolutionSampler(estimator: estimator(worker)).solution(given, index: problem.sample!)
                            }
                            let record = try await label(problem, worker: worker)
                            try store.complete(line: key, result: record.jsonString)
                        } catch let e as SolutionError {
                            try store.fail(line: key, error: "\(problem.location): \(e.description)")
                        }
                        n += 1
                        let s = try store.status()
                        progress(s.done + s.errors, total)
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        summary.labeledThisRun = labeled
        summary.errors = try store.status().errors
        summary.rolloutsStoredAfter = try store.rolloutCount()
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    func estimator(_ worker: WorkerIdentity) -> RolloutEstimator {
        RolloutEstimator(store: store, generator: generator, parameters: parameters, worker: worker)
    }

    func label(_ problem: LabelProblem, worker: WorkerIdentity) async throws -> JSONValue {
        let estimator = self.estimator(worker)
        switch parameters.method {
        case .mc:
            let labels = try await MonteCarloLabeler(estimator: estimator).label(problem)
            return StepwiseOutput.record(problem: problem, method: .mc, labels: labels)
        case .omegaprm:
            let r = try await OmegaPRM(estimator: estimator).label(problem)
            let tree: JSONValue = .array(r.tree.map {
                .object(JSONObject(["node": .string($0.node), "prefix": .string($0.prefix), "mc": .number(StepwiseOutput.round6($0.value))]))
            })
            return StepwiseOutput.record(problem: problem, method: .omegaprm, labels: r.labels,
                                         extra: [JSONMember("searches", .number(Double(r.searches))), JSONMember("tree", tree)])
        case .consensus:
            let r = try await ConsensusFilter(mc: MonteCarloLabeler(estimator: estimator), annotator: annotator).label(problem)
            return StepwiseOutput.record(problem: problem, method: .consensus, labels: r.labels,
                                         extra: [JSONMember("annotator", .string(annotator.name)),
                                                 JSONMember("annotator_first_error", .number(Double(r.annotatorFirstError))),
                                                 JSONMember("kept", .bool(r.kept))])
        }
    }

    /// Output lines in input order: labeled records (for consensus only the kept ones, unless
    /// `includeDropped`) and error records. Returns (written records, errors, dropped).
    public func output(includeDropped: Bool = false) throws -> (lines: [String], records: Int, errors: Int, dropped: Int) {
        var lines: [String] = []
        var records = 0, errors = 0, dropped = 0
        for r in try store.results() {
            if let result = r.result {
                if parameters.method == .consensus && !includeDropped,
                   (try? JSONParser.parse(result))?["kept"]?.boolValue == false {
                    dropped += 1
                    continue
                }
                lines.append(result)
                records += 1
            } else {
                let line = parameters.sample > 0 ? r.line / LabelProblem.samplesPerLine : r.line
                lines.append(StepwiseOutput.error(line: line, id: r.id, message: r.error ?? "failed").jsonString)
                errors += 1
            }
        }
        return (lines, records, errors, dropped)
    }
}
