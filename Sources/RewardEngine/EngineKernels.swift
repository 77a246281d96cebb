import CEngineKernels

/// Which SIMD kernels the engine runs (chosen once at run time by `CEngineKernels`).
public enum EngineKernels {
    /// "AVX2" (AVX2 + FMA + F16C) or "portable".
    public static var simd: String { rk_kernels_avx2() != 0 ? "AVX2" : "portable" }
}
