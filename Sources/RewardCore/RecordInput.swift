/// Input records from `.jsonl`, `.json` (a top-level array) or gzip of either, or stdin.
/// JSON arrays are detected by content (first byte `[`); their elements are numbered
/// from 1 like lines, so error messages read the same.
public final class RecordInput {
    public static let maxJSONArrayBytes = 1 << 30

    public let reader: LineReader
    private var arrayItems: [JSONValue]?
    private var arrayIndex = 0
    private var pendingFailure: Error?
    /// Bytes of the last batch, to size the next one's buffer.
    private var batchBytes = 0
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
    public func nextBatch(max: Int) throws -> [InputLine] {
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
        var store: [UInt8] = []
        store.reserveCapacity(Swift.max(1 << 16, batchBytes + batchBytes / 8))
        var spans: [(number: Int, range: Range<Int>, tooLong: Int?)] = []
        spans.reserveCapacity(max)
        do {
            while spans.count < max, let span = try reader.nextNonBlank(appendingTo: &store) { spans.append(span) }
        } catch {
            if spans.isEmpty { throw error }
            pendingFailure = error
        }
        batchBytes = store.count
        for s in spans { out.append(InputLine(number: s.number, slice: store[s.range], tooLong: s.tooLong)) }
        return out
    }
}
