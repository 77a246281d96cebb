import Foundation

/// Byte buffers passed around a stream and reused: a worker serializes a slice into one, the
/// writer gives it back once written, and the next slice is serialized into the same pages.
/// Fresh buffers cost a page fault per 4 KB on first touch, and glibc unmaps a worker arena's
/// heap as soon as it is empty, so without reuse every batch faulted in all its memory again.
public final class BufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [[UInt8]] = []
    /// Buffers kept at most (more are freed).
    public let limit: Int

    public init(limit: Int = 32) { self.limit = limit }

    /// An empty buffer with at least `capacity` bytes reserved: a returned one when there is
    /// one (if something still holds it, emptying it allocates a new one instead).
    public func take(capacity: Int) -> [UInt8] {
        lock.lock()
        var b = free.popLast() ?? []
        lock.unlock()
        b.removeAll(keepingCapacity: true)
        // In 64 KB steps, so a returned buffer fits the next slice of about the same size.
        b.reserveCapacity((capacity + 0xFFFF) & ~0xFFFF)
        return b
    }

    /// Returns a buffer that is no longer needed (after it was written).
    public func give(_ b: [UInt8]) {
        guard b.capacity > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        if free.count < limit { free.append(b) }
    }
}
