import CJSONScan
import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Buffered byte output to a file or stdout ('-'). A `.gz` path is written gzip-compressed.
///
/// A regular-file output is written to a temporary file in the same directory and renamed
/// into place by `close()`, so the path holds either its old content or the complete new
/// content, never a torn file, and reading the same file (or a hard link to it) as input is
/// safe: the input keeps reading the old inode. A symlinked output path replaces the link's
/// target, not the link. Devices and pipes (`/dev/null`, a FIFO) are written directly.
/// If the process dies before `close()`, the old file is untouched (a `.name.rewardkit-*`
/// temporary may be left next to it); if the sink is dropped without `close()`, the
/// temporary is removed.
public final class OutputSink {
    private var fp: UnsafeMutablePointer<FILE>?
    private var gz: gzFile?
    /// The path given by the user, for messages.
    public let path: String
    /// (temporary, final) when writing through a rename.
    private let rename: (temp: String, target: String)?
    private var closed = false
    /// Bytes handed to the file so far, and up to where write-back was started.
    private var written: Int64 = 0
    private var writeBackFrom: Int64 = 0
    /// Write-back is started after every this many bytes: at 8 MB the final fsync still waited
    /// 15-19 ms for the last chunk on a 50 MB output.
    static let writeBackChunk: Int64 = 2 << 20
    /// Writes at least this long bypass the stdio buffer.
    static let directWriteBytes = 128 << 10

    public init(path: String) throws {
        self.path = path
        if path == "-" {
            fp = fdopen(dup(1), "wb")
            setvbuf(fp, nil, _IOFBF, 1 << 20)
            rename = nil
            return
        }
        let target = Self.resolveLinks(path)
        var st = stat()
        let exists = stat(target, &st) == 0
        if exists && (st.st_mode & S_IFMT) == S_IFDIR { throw ConfigError("cannot write '\(path)': it is a directory") }
        let fd: Int32
        if exists && (st.st_mode & S_IFMT) != S_IFREG {
            // A device or pipe cannot be replaced by rename; write it in place.
            fd = open(target, O_WRONLY)
            guard fd >= 0 else { throw ConfigError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
            rename = nil
        } else {
            let dir = (target as NSString).deletingLastPathComponent
            let base = (target as NSString).lastPathComponent
            var template = Array(((dir.isEmpty ? "." : dir) + "/." + base + ".rewardkit-XXXXXX").utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw ConfigError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
            // Keep an existing file's permissions; a new file gets the usual 0666 & ~umask.
            let mode: mode_t
            if exists { mode = st.st_mode & 0o7777 } else { let u = umask(0); _ = umask(u); mode = 0o666 & ~u }
            fchmod(fd, mode)
            rename = (String(cString: template), target)
        }
        if path.hasSuffix(".gz") {
            guard let g = gzdopen(fd, "wb") else { Glibc.close(fd); throw ConfigError("cannot write '\(path)'") }
            gz = g
        } else {
            guard let f = fdopen(fd, "wb") else { Glibc.close(fd); throw ConfigError("cannot write '\(path)'") }
            setvbuf(f, nil, _IOFBF, 1 << 20)
            fp = f
        }
    }

    /// The final path a symlink chain points to (the path itself when it is not a link).
    static func resolveLinks(_ path: String) -> String {
        var p = path
        for _ in 0..<32 {
            guard let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: p) else { return p }
            p = dest.hasPrefix("/") ? dest : ((p as NSString).deletingLastPathComponent as NSString).appendingPathComponent(dest)
        }
        return p
    }

    deinit {
        guard !closed else { return }
        if let gz { gzclose(gz) } else if let fp { fclose(fp) }
        if let rename { unlink(rename.temp) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(raw: $0) }
    }

    public func write(_ bytes: ArraySlice<UInt8>) throws {
        try bytes.withUnsafeBytes { try write(raw: $0) }
    }

    public func write(raw b: UnsafeRawBufferPointer) throws {
        guard !b.isEmpty else { return }
        guard !closed else { throw ConfigError("write to '\(path)' after close") }
        if let gz {
            if gzwrite(gz, b.baseAddress, UInt32(b.count)) != Int32(b.count) { throw ConfigError("writing '\(path)' failed") }
            return
        }
        if b.count >= Self.directWriteBytes, let fp {
            // A worker's serialized slice goes straight to write(2): stdio would first copy
            // it into its buffer.
            guard fflush(fp) == 0 else { throw ConfigError("writing '\(path)' failed: \(String(cString: strerror(errno)))") }
            var done = 0
            while done < b.count {
                let n = Glibc.write(fileno(fp), b.baseAddress! + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ConfigError("writing '\(path)' failed: \(String(cString: strerror(errno)))") }
                done += n
            }
        } else if fwrite(b.baseAddress, 1, b.count, fp) != b.count {
            throw ConfigError("writing '\(path)' failed: \(String(cString: strerror(errno)))")
        }
        if rename != nil {
            written += Int64(b.count)
            if written - writeBackFrom >= Self.writeBackChunk { startWriteBack() }
        }
    }

    /// Starts the disk write of what was written so far without waiting for it, so the fsync in
    /// `close()` finds little left to do (with other processes writing to the disk, syncing a
    /// 50 MB output at the end took 40 ms). `rk_start_writeback`: sync_file_range on Linux.
    private func startWriteBack() {
        guard let fp, fflush(fp) == 0 else { return }
        // Whole pages only: the page being appended to is left for the next range.
        let end = written & ~4095
        _ = rk_start_writeback(fileno(fp), writeBackFrom, end - writeBackFrom)
        writeBackFrom = end
    }

    /// Runs `body`, which writes results, then publishes the output (`close()`). When `body`
    /// throws (an input stream that failed, a --strict stop, a failed batch), what it wrote
    /// before is still published and then the error is rethrown: the output file holds every
    /// result before the stop, and the command exits 1. One place for the rule every streaming
    /// command follows.
    public func publishing<T>(_ body: () async throws -> T) async throws -> T {
        let result: T
        do { result = try await body() } catch {
            try close()
            throw error
        }
        try close()
        return result
    }

    /// Flushes everything written and, for a file, renames it into place. Call it when the run
    /// ends, also when it stops on an error: what was written is then the documented partial
    /// output. Throws if the data could not be stored (disk full, …); the old file is then kept.
    public func close() throws {
        guard !closed else { return }
        closed = true
        var failure: String?
        if let gz {
            if gzclose(gz) != Z_OK { failure = "compressing or closing failed" }
        } else if let fp {
            if fflush(fp) != 0 { failure = String(cString: strerror(errno)) }
            // Synced before the rename so a power loss leaves the old or the whole new file.
            if rename != nil, failure == nil, fsync(fileno(fp)) != 0 { failure = String(cString: strerror(errno)) }
            if fclose(fp) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        }
        guard let rename else {
            if let failure { throw ConfigError("writing '\(path)' failed: \(failure)") }
            return
        }
        if let failure {
            unlink(rename.temp)
            throw ConfigError("writing '\(path)' failed: \(failure); the previous file (if any) is unchanged")
        }
        guard Glibc.rename(rename.temp, rename.target) == 0 else {
            let msg = String(cString: strerror(errno))
            unlink(rename.temp)
            throw ConfigError("cannot move the output into place at '\(path)': \(msg)")
        }
    }
}
