import CZlib
import Foundation

/// One physical input record: its 1-based line number and raw bytes, or why it was
/// rejected before parsing (too long).
public struct InputLine: Sendable {
    public var number: Int
    public var bytes: [UInt8]
    public var tooLong: Int?

    public init(number: Int, bytes: [UInt8], tooLong: Int? = nil) {
        self.number = number
        self.bytes = bytes
        self.tooLong = tooLong
    }

    /// The line as a JSON object, or a RecordError naming the line and what was found
    /// (over the line limit, malformed JSON, or another JSON type). Every command parses
    /// input lines through this, so the limit and the wording are the same everywhere.
    public func object() throws -> JSONObject {
        if let n = tooLong {
            throw RecordError(line: number, "line is longer than the line limit (--max-line-bytes); its \(n) bytes were skipped")
        }
        let v: JSONValue
        do { v = try JSONParser.parse(bytes: bytes) } catch let e as JSONParseError { throw RecordError(line: number, e.description) }
        guard case .object(let o) = v else { throw RecordError(line: number, "expected a JSON object, got \(v.typeName)") }
        return o
    }

    /// As `object()`, with only the members named in `keys` materialized (the others are
    /// validated, not built), and whether the line's object had any member. Same errors.
    public func object(keeping keys: Set<String>) throws -> (object: JSONObject, isEmpty: Bool) {
        if tooLong != nil { return (try object(), false) }
        let r: (object: JSONObject, isEmpty: Bool)?
        do { r = try JSONParser.parseObject(bytes: bytes, keeping: keys) } catch let e as JSONParseError { throw RecordError(line: number, e.description) }
        guard let r else { let o = try object(); return (o, o.count == 0) }
        return r
    }
}

/// The input stream itself failed (a truncated or corrupt gzip stream, a read error): the
/// message names the file and how many lines were read before it. Readers deliver every
/// complete line read before the failure first, so callers can still write their results.
public struct InputStreamError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var linesRead: Int
    public var reason: String
    public var droppedBytes: Int

    public var description: String {
        let name = path == "-" ? "stdin" : "'\(path)'"
        var s = "reading \(name) failed after line \(linesRead): \(reason)"
        if droppedBytes > 0 { s += "; the incomplete line after it (\(droppedBytes) bytes) was dropped" }
        return s + "; the \(linesRead) lines before it were processed"
    }
}

/// Streams lines from a file, a gzip file (detected by content, not name) or stdin,
/// with a hard per-line limit: an over-long line is skipped without being buffered
/// whole and reported as an error line, and reading goes on.
public final class LineReader {
    public static let defaultMaxLineBytes = 8 << 20

    private let file: gzFile
    private var buffer: [UInt8] = []
    private var readChunk = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var eof = false
    private var lineNumber = 0
    /// Why the stream ended early (set by fill, reported after the buffered lines).
    private var streamFailure: String?
    public let maxLineBytes: Int
    public let path: String
    /// Size of the underlying file (nil for stdin), for progress.
    public let totalBytes: Int64?

    public init(path: String, maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws {
        self.path = path
        self.maxLineBytes = maxLineBytes
        if path == "-" {
            guard let f = gzdopen(dup(0), "rb") else { throw ConfigError("cannot read stdin") }
            file = f
            totalBytes = nil
        } else {
            var st = stat()
            guard stat(path, &st) == 0 else { throw ConfigError("cannot open '\(path)': no such file") }
            guard (st.st_mode & S_IFMT) != S_IFDIR else { throw ConfigError("'\(path)' is a directory") }
            guard let f = gzopen(path, "rb") else { throw ConfigError("cannot open '\(path)'") }
            file = f
            totalBytes = Int64(st.st_size)
        }
        gzbuffer(file, 1 << 20)
    }

    deinit { gzclose(file) }

    /// Compressed bytes consumed so far.
    public var bytesRead: Int64 { Int64(gzoffset(file)) }

    private func fill() throws {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        // Read into a reused chunk and append with one memcpy (appending `chunk` zeros first
        // and trimming went byte by byte: a few percent of the whole pipeline).
        let chunk = readChunk.count
        let n = readChunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress!, UInt32(chunk)) }
        if n > 0 { buffer.append(contentsOf: readChunk[..<Int(n)]) }
        if n <= 0 {
            eof = true
            // zlib reports a truncated stream as a plain end of file (gzread returns 0) and keeps
            // Z_BUF_ERROR "unexpected end of file" in gzerror; corrupt data returns -1.
            var errnum: Int32 = 0
            let msg = gzerror(file, &errnum).map { String(cString: $0) } ?? ""
            if n < 0 || errnum != Z_OK {
                let what = msg.isEmpty ? "read error" : msg
                streamFailure = errnum == Z_BUF_ERROR || errnum == Z_DATA_ERROR
                    ? "\(what) (the compressed stream is truncated or corrupt)" : what
            }
        }
    }

    /// Peeks the first non-whitespace byte without consuming (for JSON-array detection).
    public func firstNonWhitespaceByte() throws -> UInt8? {
        while true {
            if let b = buffer[start...].first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) { return b }
            if eof { return nil }
            try fill()
        }
    }

    /// Reads everything that is left (used for JSON-array input), bounded by `limit`.
    public func readAll(limit: Int) throws -> [UInt8] {
        while !eof {
            try fill()
            if buffer.count - start > limit { throw ConfigError("'\(path)' exceeds \(limit) bytes; use JSONL for large inputs") }
        }
        if let reason = streamFailure {
            streamFailure = nil
            throw InputStreamError(path: path, linesRead: 0, reason: reason, droppedBytes: buffer.count - start)
        }
        let out = Array(buffer[start...])
        start = buffer.count
        return out
    }

    /// Next line without its terminator, or nil at end of input.
    public func next() throws -> InputLine? {
        var scanFrom = start
        while true {
            if let nl = findNewline(from: scanFrom) {
                lineNumber += 1
                if nl - start > maxLineBytes {
                    // The whole line is already buffered; it is still refused, like a longer one.
                    let n = nl - start
                    start = nl + 1
                    return InputLine(number: lineNumber, bytes: [], tooLong: n)
                }
                var end = nl
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = InputLine(number: lineNumber, bytes: Array(buffer[start..<end]))
                start = nl + 1
                return line
            }
            if buffer.count - start > maxLineBytes { return try skipLongLine() }
            if eof {
                if let reason = streamFailure {
                    // The bytes after the last newline are a line cut by the failure, not a line.
                    let dropped = buffer.count - start
                    start = buffer.count
                    streamFailure = nil
                    throw InputStreamError(path: path, linesRead: lineNumber, reason: reason, droppedBytes: dropped)
                }
                guard start < buffer.count else { return nil }
                lineNumber += 1
                let line = InputLine(number: lineNumber, bytes: Array(buffer[start...]))
                start = buffer.count
                return line
            }
            // fill() may compact the buffer, so remember the scan point relative to `start`.
            let scanned = buffer.count - start
            try fill()
            scanFrom = start + scanned
        }
    }

    private func findNewline(from: Int) -> Int? {
        guard from < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let p = memchr(raw.baseAddress! + from, 0x0A, buffer.count - from) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
    }

    private func skipLongLine() throws -> InputLine {
        lineNumber += 1
        var skipped = buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        while true {
            if eof { break }
            try fill()
            if let nl = findNewline(from: 0) {
                skipped += nl
                start = nl + 1
                break
            }
            skipped += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        return InputLine(number: lineNumber, bytes: [], tooLong: skipped)
    }
}
