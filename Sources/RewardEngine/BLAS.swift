import COpenBLAS

/// The engine's one way into OpenBLAS, which is loaded on first use (`rk_blas_load`, dlopen) rather than
/// linked: a linked OpenBLAS ran its constructor and started spinning worker threads in every process,
/// including the model-free commands (issue 15). Row-major CBLAS semantics, single-threaded.
enum BLAS {
    /// Loads OpenBLAS (once) so that an engine can report a missing library as an error before any
    /// BLAS call; the calls below load it themselves and end the process with the same message otherwise.
    static func load() throws {
        if let message = rk_blas_load() { throw BLASUnavailable(message: String(cString: message)) }
    }

    /// C = alpha · op(A) · op(B) + beta · C, with A m × k and B k × n after `op`.
    @inline(__always)
    static func sgemm(transA: Bool = false, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        rk_blas_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                      b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha · A · x + beta · y, A m × n.
    @inline(__always)
    static func sgemv(m: Int, n: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
                      _ x: UnsafePointer<Float>, incx: Int = 1, beta: Float, _ y: UnsafeMutablePointer<Float>,
                      incy: Int = 1) {
        rk_blas_sgemv(Int32(m), Int32(n), alpha, a, Int32(lda), x, Int32(incx), beta, y, Int32(incy))
    }
}

/// OpenBLAS could not be loaded; the message names the library and the Debian package (`libopenblas0`).
public struct BLASUnavailable: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
