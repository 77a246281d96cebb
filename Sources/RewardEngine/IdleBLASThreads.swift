#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS (the engine links it for attention) starts its worker threads when the library loads, and each
/// one busy-waits with `sched_yield` for about 2^28 TSC ticks (`OPENBLAS_THREAD_TIMEOUT`, ≈ 0.1 s)
/// before it sleeps. A `score` or `verify math` run that never calls BLAS spent 20–40 ms of CPU
/// (≈ 10 % of a 50 MB run) in that spin, taking a core from the stream's workers on two cores.
///
/// `release()` asks OpenBLAS to end those threads (`blas_thread_shutdown_`, the call its own
/// fork handler makes); its next parallel call starts them again (`exec_blas` re-initialises the
/// server when it is not running), so a model reward still gets its threads, after ≈ 0.1 ms.
/// Looked up with `dlsym`: no link dependency, and nothing happens when OpenBLAS is not loaded.
/// Call it only before anything in the process uses BLAS (at the start of a CLI command): ending
/// the threads under a running BLAS call is not safe.
public enum IdleBLASThreads {
    public static func release() {
        #if os(Linux)
        // RTLD_DEFAULT is ((void *) 0) in glibc.
        guard let f = dlsym(nil, "blas_thread_shutdown_") else { return }
        typealias Shutdown = @convention(c) () -> Int32
        _ = unsafeBitCast(f, to: Shutdown.self)()
        #endif
    }
}
