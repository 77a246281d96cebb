import CJSONScan

/// The streaming core of every line-by-line command (`score`, `verify math`): reads input
/// lines in batches, cuts each batch into contiguous slices, runs `process` on the slices
/// concurrently and hands the results to the caller in input order.
///
/// The caller's task reads and writes; the workers parse, score and serialize. Up to two
/// batches of slices are queued, so while this task writes finished slices (each as soon as
/// the ones before it are written) and reads the next batch, the workers always have the next
/// slices to work on: neither the reader nor the workers wait for the writer. A batch is cut
/// into more slices than workers so an idle thread picks up the rest while another one reads or
/// writes. The first batches are small (1,024 lines, doubling up to `batchLines`) so the
/// workers start after a millisecond of reading, not after a whole batch.
public struct LineStream<Slice: Sendable>: Sendable {
    public var batchLines: Int
    public var concurrency: Int
    /// Smallest slice worth a task of its own.
    public var minSliceLines = 256
    /// Lines of the first batch (doubling up to `batchLines` after it).
    public var firstBatchLines = 1024
    /// A batch also ends once it holds this many bytes: what is in flight (a few batches) then
    /// stays small enough for the reader's and writer's buffers to be reused many times over a
    /// file, instead of faulting in fresh pages for every batch of long lines.
    /// 1 MB: the six reused line buffers then hold about 6 MB; at 2 MB they held 14 MB, faulted
    /// in on first use (3,600 page faults on a 50 MB run).
    public var batchBytes = 1 << 20
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
        // Every batch allocates about the same buffers; keep freed pages for the next one.
        rk_keep_freed_memory()
        // A full batch's slices: while fewer than this many are queued, the next batch is added.
        let window = Self.slices(count: batchLines, workers: concurrency, minLines: minSliceLines).count
        let readFailure: Error? = try await withThrowingTaskGroup(of: (Int, Slice).self) { g in
            var readFailure: Error?
            var size = max(1, min(batchLines, firstBatchLines))
            func read() -> [InputLine] {
                guard readFailure == nil else { return [] }
                defer { size = min(batchLines, size * 2) }
                do { return try input.nextBatch(max: size, maxBytes: batchBytes) } catch { readFailure = error; return [] }
            }
            var lines = read()
            var submitted = 0, consumed = 0
            var ready: [Int: Slice] = [:]
            while true {
                if !lines.isEmpty, submitted - consumed <= window {
                    for r in Self.slices(count: lines.count, workers: concurrency, minLines: minSliceLines) {
                        // Only the task keeps its lines, so they are freed by the worker.
                        let slice = Array(lines[r]), id = submitted
                        g.addTask { (id, try await self.process(slice)) }
                        submitted += 1
                    }
                    lines = read()
                    continue
                }
                guard consumed < submitted, let (id, r) = try await g.next() else { break }
                ready[id] = r
                while let s = ready.removeValue(forKey: consumed) {
                    try await consume(s)
                    consumed += 1
                }
            }
            return readFailure
        }
        if let readFailure { throw readFailure }
    }

    /// Contiguous ranges covering 0..<count: one when the batch is small, else up to four per worker.
    static func slices(count: Int, workers: Int, minLines: Int) -> [Range<Int>] {
        let n = workers == 1 ? 1 : max(1, min(workers * 4, count / max(1, minLines)))
        return (0..<n).map { k in (k * count / n)..<((k + 1) * count / n) }
    }
}
