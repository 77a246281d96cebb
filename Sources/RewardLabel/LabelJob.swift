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

    public init(parameters: LabelParameters, store: LabelJobStore, generator: any Generator) {
        self.parameters = parameters; self.store = store; self.generator = generator
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
        try store.register(solutions: input.problems.map { ($0.line, $0.id) }, errors: input.errors)
        var summary = Summary()
        summary.solutions = input.problems.count + input.errors.count
        summary.rolloutsStoredBefore = try store.rolloutCount()
        let byLine = Dictionary(uniqueKeysWithValues: input.problems.map { ($0.line, $0) })
        let total = summary.solutions
        let labeled = try await withThrowingTaskGroup(of: Int.self) { group in
            for w in 0..<max(1, workers) {
                group.addTask {
                    let worker = WorkerIdentity(worker: w)
                    var n = 0
                    while let line = try store.claimNext(worker: worker) {
                        guard let problem = byLine[line] else {
                            try store.fail(line: line, error: "line \(line): not in this input")
                            continue
                        }
                        do {
                            let record = try await label(problem, worker: worker)
                            try store.complete(line: line, result: record.jsonString)
                        } catch let e as SolutionError {
                            try store.fail(line: line, error: "line \(line): \(e.description)")
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

    func label(_ problem: LabelProblem, worker: WorkerIdentity) async throws -> JSONValue {
        let estimator = RolloutEstimator(store: store, generator: generator, parameters: parameters, worker: worker)
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
            let r = try await ConsensusFilter(mc: MonteCarloLabeler(estimator: estimator)).label(problem)
            return StepwiseOutput.record(problem: problem, method: .consensus, labels: r.labels,
                                         extra: [JSONMember("annotator", .string("math_steps")),
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
                lines.append(StepwiseOutput.error(line: r.line, id: r.id, message: r.error ?? "failed").jsonString)
                errors += 1
            }
        }
        return (lines, records, errors, dropped)
    }
}
