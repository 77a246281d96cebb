import Foundation
import Testing

/// Process start (issue 15): the `rewardkit` binary must not link FoundationNetworking, whose libcurl tree
/// (about 30 shared objects: TLS, Kerberos, LDAP, SSH, IDN) every CLI run would otherwise load and relocate.
/// The OpenAI-compatible backend uses AsyncHTTPClient instead.
@Suite struct StartupCLITests {
    @Test func binaryDoesNotLinkFoundationNetworkingOrLibcurl() throws {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ldd", CLI.binary]
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("libc.so"), "\(text)")  // ldd did list the dependencies
        #expect(!text.contains("libFoundationNetworking"), "\(text)")
        #expect(!text.contains("libcurl"), "\(text)")
        // OpenBLAS is loaded with dlopen by the engine on first use: linked, its constructor and spinning
        // worker threads (and libgfortran/libquadmath) cost every process start.
        #expect(!text.contains("libopenblas"), "\(text)")
        #expect(!text.contains("libgfortran"), "\(text)")
    }

    /// With an unusable libopenblas.so.0 first on the search path (a file that is not a library), model-free
    /// commands still run, and an engine command fails with an error naming the library and the Debian
    /// package, not a crash. Without that file, the same engine command succeeds (the error is the load's).
    @Test func missingOpenBLASIsAnEngineErrorOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-noblas-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("not a shared object\n".utf8).write(to: dir.appendingPathComponent("libopenblas.so.0"))
        let env = ["LD_LIBRARY_PATH": dir.path]

        let version = try CLI.run(["--version"], environment: env)
        #expect(version.status == 0, "\(version.err)")
        let verify = try CLI.run(["verify", "math", "--gold", "1/2", "--pred", "0.5"], environment: env)
        #expect(verify.status == 0, "\(verify.err)")

        let gemm = ["bench", "gemm", "--types", "q8_0", "--n", "1", "--threads", "1", "--shapes", "32x64",
                    "--seconds", "0.01"]
        let broken = try CLI.run(gemm, environment: env)
        #expect(broken.status == 1, "\(broken.err)")  // an error exit, not a signal
        #expect(broken.err.contains("libopenblas.so.0"), "\(broken.err)")
        #expect(broken.err.contains("libopenblas0"), "\(broken.err)")
        let ok = try CLI.run(gemm)
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("32×64"), "\(ok.out)")
    }
}
