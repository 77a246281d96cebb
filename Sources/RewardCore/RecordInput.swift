/// Input records from `.jsonl`, `.json` (a top-level array) or gzip of either, or stdin.
/// JSON arrays are detected by content (first byte `[`); their elements are numbered
/// from 1 like lines, so error messages read the same.
public final class RecordInput {
    public static let maxJSONArrayBytes = 1 << 30

    public let reader: LineReader
    private var arrayItems: [JSONValue]?
    private var arrayIndex = 0
    private var pendingFailure: Error?
    /// Mean line length of the last batch, to size the next one's buffer.
    private var lineBytes = 0
    /// The last batches' line buffers (a batch's lines are slices of its buffer), for reuse.
    private var stores: [[UInt8]] = Array(repeating: [], count: 6)
    private var slot = 0
    public let maxLineBytes: Int

    public init(path: String, maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws {
        reader = try LineReader(path: path, maxLineBytes: maxLineBytes)
        self.maxLineBytes = maxLineBytes
        if try reader.firstNonWhitespaceByte() == UInt8(ascii: "[") {
            let all = try reader.readAll(limit: Self.maxJSONArrayBytes)
            do {
                guard case .array(let items) = try JSONParser.parse(bytes: all) else { throw ConfigError("not an array") }
                arrayItems = items
            } catch let e as JSONParseError {
                throw ConfigError("'\(path)' starts with '[' but is not a valid JSON array: \(e)")
            }
        }
    }

    public var totalBytes: Int64? { reader.totalBytes }
    public var bytesRead: Int64 { arrayItems == nil ? reader.bytesRead : (reader.totalBytes ?? 0) }

    /// Up to `max` lines; empty at end of input. Blank lines are skipped. When the stream
    /// fails (InputStreamError), the lines read before the failure are returned first and
    /// the error is thrown by the next call.
    public func nextBatch(max: Int) throws -> [InputLine] { try nextBatch(max: max, maxBytes: .max) }

    /// As `nextBatch(max:)`, ending the batch early after the line that reaches `maxBytes` bytes.
    public func nextBatch(max: Int, maxBytes: Int) throws -> [InputLine] {
        if let e = pendingFailure { pendingFailure = nil; throw e }
        var out: [InputLine] = []
        out.reserveCapacity(max)
        if let items = arrayItems {
            while out.count < max, arrayIndex < items.count {
                var w = JSONWriter()
                w.write(items[arrayIndex])
                arrayIndex += 1
                // The line limit holds for array elements too (measured as compact JSON).
                out.append(w.bytes.count > maxLineBytes ? InputLine(number: arrayIndex, bytes: [], tooLong: w.bytes.count)
                                                        : InputLine(number: arrayIndex, bytes: w.bytes))
            }
            return out
        }
        // The batch's lines are copied into one buffer and each line is a slice of it: no
        // allocation per line. The slices are made once the buffer is complete (a slice taken
        // earlier would make the next append copy the buffer).
        // Buffers are reused round-robin: by the time a slot comes round again its batch has been
        // written and the buffer is this reader's alone, so emptying it keeps its (already
        // faulted-in) pages; a buffer still in use is left to its lines and a new one is made.
        slot = (slot + 1) % stores.count
        var store: [UInt8] = []
        swap(&store, &stores[slot])
        store.removeAll(keepingCapacity: true)
        let expected = Swift.min(lineBytes * Swift.min(max, 1 << 24), Swift.min(maxBytes, 1 << 30) + lineBytes)
        // Rounded up to whole megabytes: a batch a few bytes longer than the last one then still
        // fits, where an exact reservation reallocated the buffer (fresh pages) time and again.
        store.reserveCapacity((Swift.max(1 << 16, expected + expected / 8) + (1 << 20) - 1) & ~((1 << 20) - 1))
        defer { stores[slot] = store }
        var spans: [(number: Int, range: Range<Int>, tooLong: Int?)] = []
        spans.reserveCapacity(max)
        do {
            while spans.count < max, store.count < maxBytes, let span = try reader.nextNonBlank(appendingTo: &store) { spans.append(span) }
        } catch {
            if spans.isEmpty { throw error }
            pendingFailure = error
        }
        if !spans.isEmpty { lineBytes = store.count / spans.count }
        for s in spans { out.append(InputLine(number: s.number, slice: store[s.range], tooLong: s.tooLong)) }
        return out
    }
}
