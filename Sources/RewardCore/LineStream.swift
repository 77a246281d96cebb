/// The streaming core of every line-by-line command (`score`, `verify math`): reads input
/// lines in batches, cuts each batch into contiguous slices, runs `process` on the slices
/// concurrently and hands the results to the caller in input order.
///
/// The serial work overlaps the workers: while batch k is processed, the caller's `consume`
/// writes the results of batch k−1 and batch k+1 is read. Workers should also serialize
/// their output lines, so what stays serial is splitting lines and writing bytes.
/// A batch is cut into more slices than workers so an idle thread picks up the rest while
/// another one reads or writes.
public struct LineStream<Slice: Sendable>: Sendable {
    public var batchLines: Int
    public var concurrency: Int
    /// Smallest slice worth a task of its own.
    public var minSliceLines = 256
    public let process: @Sendable ([InputLine]) async throws -> Slice

    public init(batchLines: Int = 8192, concurrency: Int, process: @escaping @Sendable ([InputLine]) async throws -> Slice) {
        self.batchLines = max(1, batchLines)
        self.concurrency = max(1, concurrency)
        self.process = process
    }

    /// Streams all of `input` through `process`, calling `consume` with each slice result in
    /// input order. When the input stream fails, every slice read before the failure is
    /// consumed first and then the error is thrown; an error thrown by `consume` (a --strict
    /// stop) ends the stream at once.
    public func run(input: RecordInput, consume: (Slice) async throws -> Void) async throws {
        var pending: [Slice] = []
        var readFailure: Error?
        var lines: [InputLine]
        do { lines = try input.nextBatch(max: batchLines) } catch { lines = []; readFailure = error }
        while !lines.isEmpty {
            let ranges = Self.slices(count: lines.count, workers: concurrency, minLines: minSliceLines)
            // Only the tasks keep the lines, so they are freed by the workers, not here.
            var slices = ranges.map { Array(lines[$0]) }
            lines = []
            pending = try await withThrowingTaskGroup(of: (Int, Slice).self) { g in
                for k in slices.indices {
                    let slice = slices[k]
                    g.addTask { (k, try await self.process(slice)) }
                }
                slices = []
                for s in pending { try await consume(s) }
                do { lines = try input.nextBatch(max: batchLines) } catch { lines = []; readFailure = error }
                var parts = [Slice?](repeating: nil, count: ranges.count)
                for try await (k, r) in g { parts[k] = r }
                return parts.map { $0! }
            }
        }
        for s in pending { try await consume(s) }
        if let readFailure { throw readFailure }
    }

    /// Contiguous ranges covering 0..<count: one when the batch is small, else up to four per worker.
    static func slices(count: Int, workers: Int, minLines: Int) -> [Range<Int>] {
        let n = workers == 1 ? 1 : max(1, min(workers * 4, count / max(1, minLines)))
        return (0..<n).map { k in (k * count / n)..<((k + 1) * count / n) }
    }
}
