import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real llama-cpp-python server (`llama_cpp.server`, venv .venv-llamaserver, created by `make test`)
/// serving a GGUF on 127.0.0.1, for the tests of the OpenAI-compatible backend (RewardSearchTests, CLITests).
/// Suites gate on `available`: skipped locally when the venv is missing; under CI=true they run and fail if
/// the server cannot start.
public enum LlamaServer {
    /// The package root (this file is Tests/TestSupport/LlamaServer.swift).
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let python = repoRoot.appendingPathComponent(".venv-llamaserver/bin/python").path
    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: python) || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ d: String) { description = d }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"]
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let s = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(s) else { throw Failure("no free port (\(s))") }
        return port
    }

    /// Starts the server on `model` (a GGUF path), waits until `/v1/models` answers (≤ `startTimeout` s),
    /// runs `body` with the API root (http://127.0.0.1:PORT/v1), then kills the server.
    public static func with<T>(model: String, startTimeout: Double = 120, _ body: (URL) async throws -> T) async throws -> T {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure("\(python) missing: create it with `python3 -m venv .venv-llamaserver && .venv-llamaserver/bin/pip install 'llama-cpp-python[server]==0.3.36'` (make test does)")
        }
        let port = try freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port", "\(port)",
                       "--n_ctx", "2048", "--n_threads", "2"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("llamaserver-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let fh = try FileHandle(forWritingTo: log)
        p.standardOutput = fh
        p.standardError = fh
        try p.run()
        // SIGKILL: uvicorn may ignore SIGTERM while a worker thread is busy, and waitUntilExit would then wait forever.
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit(); try? fh.close() }
        let base = URL(string: "http://127.0.0.1:\(port)/v1")!
        let deadline = Date().addingTimeInterval(startTimeout)
        var up = false
        while Date() < deadline && p.isRunning {
            var req = URLRequest(url: base.appendingPathComponent("models"))
            req.timeoutInterval = 2
            if let (_, r) = try? await URLSession.shared.data(for: req), (r as? HTTPURLResponse)?.statusCode == 200 { up = true; break }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        guard up else {
            let tail = (try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? ""
            throw Failure("llama_cpp.server did not start on port \(port): \(tail)")
        }
        return try await body(base)
    }
}
