import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One physical input record: its 1-based line number and raw bytes, or why it was
/// rejected before parsing (too long).
///
/// The bytes are a slice of one buffer shared by the whole batch (`RecordInput.nextBatch`
/// copies a batch's lines into it once), so a line costs no allocation of its own.
public struct InputLine: Sendable {
    public var number: Int
    /// The line's bytes, in the batch's shared buffer.
    public var slice: ArraySlice<UInt8>
    public var tooLong: Int?

    /// The line's bytes as an array of their own (a copy; `slice` and `withUnsafeBytes` do not copy).
    public var bytes: [UInt8] {
        get { Array(slice) }
        set { slice = newValue[...] }
    }

    public init(number: Int, bytes: [UInt8], tooLong: Int? = nil) {
        self.init(number: number, slice: bytes[...], tooLong: tooLong)
    }

    public init(number: Int, slice: ArraySlice<UInt8>, tooLong: Int? = nil) {
        self.number = number
        self.slice = slice
        self.tooLong = tooLong
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try slice.withUnsafeBytes(body)
    }

    /// The line as a JSON object, or a RecordError naming the line and what was found
    /// (over the line limit, malformed JSON, or another JSON type). Every command parses
    /// input lines through this, so the limit and the wording are the same everywhere.
    public func object() throws -> JSONObject {
        if let n = tooLong {
            throw RecordError(line: number, "line is longer than the line limit (--max-line-bytes); its \(n) bytes were skipped")
        }
        let v: JSONValue
        do { v = try withUnsafeBytes { try JSONParser.parse(bytes: $0) } } catch let e as JSONParseError { throw RecordError(line: number, e.description) }
        guard case .object(let o) = v else { throw RecordError(line: number, "expected a JSON object, got \(v.typeName)") }
        return o
    }

    /// As `object()`, with members built, stubbed or skipped as `filter` says (all built when
    /// nil). Same errors.
    public func object(filter: JSONKeyFilter?) throws -> JSONObject {
        guard let filter, tooLong == nil else { return try object() }
        let r: (object: JSONObject, isEmpty: Bool)?
        do { r = try withUnsafeBytes { try JSONParser.parseObject(bytes: $0, filter: filter) } } catch let e as JSONParseError { throw RecordError(line: number, e.description) }
        guard let r else { return try object() }
        return r.object
    }

    /// As `object()`, with only the members named in `keys` materialized (the others are
    /// validated, not built), and whether the line's object had any member. Same errors.
    public func object(keeping keys: Set<String>) throws -> (object: JSONObject, isEmpty: Bool) {
        if tooLong != nil { return (try object(), false) }
        let r: (object: JSONObject, isEmpty: Bool)?
        do { r = try withUnsafeBytes { try JSONParser.parseObject(bytes: $0, filter: JSONKeyFilter(build: keys)) } } catch let e as JSONParseError { throw RecordError(line: number, e.description) }
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
///
/// Bytes are read straight into one growing buffer (a plain file with `read`, no zlib layer
/// and no intermediate chunk), and each line is copied out of it once.
public final class LineReader {
    public static let defaultMaxLineBytes = 8 << 20
    static let readSize = 1 << 20

    /// gzip input (and stdin, which may be either: zlib passes plain bytes through).
    private let gz: gzFile?
    /// A plain file's descriptor when `gz` is nil.
    private let fd: Int32
    private var plainOffset: Int64 = 0
    private var buf: UnsafeMutablePointer<UInt8>
    private var cap: Int
    /// Unconsumed bytes are buf[start..<end].
    private var start = 0
    private var end = 0
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
            gz = f
            fd = -1
            totalBytes = nil
            gzbuffer(f, UInt32(Self.readSize))
        } else {
            var st = stat()
            guard stat(path, &st) == 0 else { throw ConfigError("cannot open '\(path)': no such file") }
            guard (st.st_mode & S_IFMT) != S_IFDIR else { throw ConfigError("'\(path)' is a directory") }
            let d = open(path, O_RDONLY)
            guard d >= 0 else { throw ConfigError("cannot open '\(path)'") }
            // gzip magic 1f 8b decides, as zlib would; pread leaves the offset at 0 for either reader.
            var magic: [UInt8] = [0, 0]
            let isGzip = pread(d, &magic, 2, 0) == 2 && magic == [0x1F, 0x8B]
            if isGzip || (st.st_mode & S_IFMT) != S_IFREG {
                guard let f = gzdopen(d, "rb") else { Glibc.close(d); throw ConfigError("cannot open '\(path)'") }
                gz = f
                fd = -1
                gzbuffer(f, UInt32(Self.readSize))
            } else {
                gz = nil
                fd = d
                posix_fadvise(d, 0, 0, POSIX_FADV_SEQUENTIAL)
            }
            totalBytes = Int64(st.st_size)
        }
        cap = 2 * Self.readSize
        buf = .allocate(capacity: cap)
    }

    deinit {
        if let gz { gzclose(gz) } else { Glibc.close(fd) }
        buf.deallocate()
    }

    /// Compressed bytes consumed so far.
    public var bytesRead: Int64 { gz.map { Int64(gzoffset($0)) } ?? plainOffset }

    private func fill() throws {
        // Keep the unconsumed tail at the front once it is less than half the buffer, and
        // make room for one more read.
        if start > 0 && start >= end / 2 {
            if end > start { memmove(buf, buf + start, end - start) }
            end -= start
            start = 0
        }
        if cap - end < Self.readSize {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(2 * cap, end + Self.readSize))
            bigger.update(from: buf, count: end)
            buf.deallocate()
            buf = bigger
            cap = max(2 * cap, end + Self.readSize)
        }
        if let gz {
            let n = gzread(gz, buf + end, UInt32(Self.readSize))
            if n > 0 { end += Int(n) }
            if n <= 0 {
                eof = true
                // zlib reports a truncated stream as a plain end of file (gzread returns 0) and keeps
                // Z_BUF_ERROR "unexpected end of file" in gzerror; corrupt data returns -1.
                var errnum: Int32 = 0
                let msg = gzerror(gz, &errnum).map { String(cString: $0) } ?? ""
                if n < 0 || errnum != Z_OK {
                    let what = msg.isEmpty ? "read error" : msg
                    streamFailure = errnum == Z_BUF_ERROR || errnum == Z_DATA_ERROR
                        ? "\(what) (the compressed stream is truncated or corrupt)" : what
                }
            }
        } else {
            var n: Int
            repeat { n = read(fd, buf + end, Self.readSize) } while n < 0 && errno == EINTR
            if n > 0 { end += n; plainOffset += Int64(n) }
            if n == 0 { eof = true }
            if n < 0 {
                eof = true
                streamFailure = String(cString: strerror(errno))
            }
        }
    }

    /// Peeks the first non-whitespace byte without consuming (for JSON-array detection).
    public func firstNonWhitespaceByte() throws -> UInt8? {
        var i = start
        while true {
            while i < end {
                let b = buf[i]
                if !(b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) { return b }
                i += 1
            }
            if eof { return nil }
            let scanned = i - start
            try fill()
            i = start + scanned
        }
    }

    /// Reads everything that is left (used for JSON-array input), bounded by `limit`.
    public func readAll(limit: Int) throws -> [UInt8] {
        while !eof {
            try fill()
            if end - start > limit { throw ConfigError("'\(path)' exceeds \(limit) bytes; use JSONL for large inputs") }
        }
        if let reason = streamFailure {
            streamFailure = nil
            throw InputStreamError(path: path, linesRead: 0, reason: reason, droppedBytes: end - start)
        }
        let out = bytes(start, end)
        start = end
        return out
    }

    private func bytes(_ from: Int, _ to: Int) -> [UInt8] { Array(UnsafeBufferPointer(start: buf + from, count: to - from)) }

    /// Next line without its terminator, or nil at end of input.
    public func next() throws -> InputLine? {
        guard let s = try nextSpan() else { return nil }
        if let n = s.tooLong { return InputLine(number: s.number, bytes: [], tooLong: n) }
        return InputLine(number: s.number, bytes: bytes(s.from, s.to))
    }

    /// As `next()`, with the line's bytes appended to `store` (one buffer for a whole batch)
    /// instead of copied into an array of their own; blank lines (spaces, tabs, CR) are
    /// skipped. Returns the line's number and where its bytes lie in `store`.
    func nextNonBlank(appendingTo store: inout [UInt8]) throws -> (number: Int, range: Range<Int>, tooLong: Int?)? {
        while let s = try nextSpan() {
            if let n = s.tooLong { return (s.number, store.count..<store.count, n) }
            let span = UnsafeBufferPointer(start: buf + s.from, count: s.to - s.from)
            if span.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let at = store.count
            store.append(contentsOf: span)
            return (s.number, at..<store.count, nil)
        }
        return nil
    }

    /// The next line as buf[from..<to] (valid until the next call), or its length when it is
    /// over the limit (skipped, nothing buffered), or nil at the end of input.
    private func nextSpan() throws -> (number: Int, from: Int, to: Int, tooLong: Int?)? {
        var scanFrom = start
        while true {
            if let nl = findNewline(from: scanFrom) {
                lineNumber += 1
                if nl - start > maxLineBytes {
                    // The whole line is already buffered; it is still refused, like a longer one.
                    let n = nl - start
                    start = nl + 1
                    return (lineNumber, 0, 0, n)
                }
                var stop = nl
                if stop > start, buf[stop - 1] == 0x0D { stop -= 1 }
                let from = start
                start = nl + 1
                return (lineNumber, from, stop, nil)
            }
            if end - start > maxLineBytes {
                let n = try skipLongLine()
                return (lineNumber, 0, 0, n)
            }
            if eof {
                if let reason = streamFailure {
                    // The bytes after the last newline are a line cut by the failure, not a line.
                    let dropped = end - start
                    start = end
                    streamFailure = nil
                    throw InputStreamError(path: path, linesRead: lineNumber, reason: reason, droppedBytes: dropped)
                }
                guard start < end else { return nil }
                lineNumber += 1
                let from = start
                start = end
                return (lineNumber, from, end, nil)
            }
            // fill() may compact the buffer, so remember the scan point relative to `start`.
            let scanned = end - start
            try fill()
            scanFrom = start + scanned
        }
    }

    private func findNewline(from: Int) -> Int? {
        guard from < end, let p = memchr(buf + from, 0x0A, end - from) else { return nil }
        return UnsafeRawPointer(buf).distance(to: UnsafeRawPointer(p))
    }

    /// Skips the over-long line at `start` and returns its length (the line number is counted).
    private func skipLongLine() throws -> Int {
        lineNumber += 1
        var skipped = end - start
        start = 0
        end = 0
        while true {
            if eof { break }
            try fill()
            if let nl = findNewline(from: 0) {
                skipped += nl
                start = nl + 1
                break
            }
            skipped += end
            start = 0
            end = 0
        }
        return skipped
    }
}
