import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only (open, fstat, mmap; unmapped when the last reference goes).
/// Shared by the GGUF and safetensors readers so that both fail the same way, naming the path.
/// Weights stay in the page cache, not the heap: RSS counts only the pages a forward pass touches.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    public let base: UnsafeRawPointer

    /// `tooSmall` gives the format's own error for a file shorter than `minimumSize` (checked before
    /// mapping, so an empty file gets that error rather than mmap's EINVAL).
    public init(path: String, minimumSize: Int, tooSmall: (Int) -> EngineError) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw EngineError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw EngineError.io("cannot stat \(path)") }
        let size = Int(st.st_size)
        guard size >= max(minimumSize, 1) else { throw tooSmall(size) }
        guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw EngineError.io("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        self.size = size
        base = UnsafeRawPointer(m)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }
}
