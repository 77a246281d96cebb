import ArgumentParser
import Foundation
import Logging
import RewardCore
import RewardServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve reward specs over HTTP (OpenRLHF /get_reward, native /v1/score, /metrics).",
        discussion: """
            Any spec `score` accepts works, model-backed types included. Several specs: repeat \
            --config name=spec.yaml and select one by path (/NAME/get_reward, /v1/score/NAME), \
            by ?spec=NAME, or by the body's `spec` field; without a choice the first spec serves. \
            Prints `listening on http://HOST:PORT` on stdout once ready; SIGTERM drains in-flight \
            requests and exits 0. See README.md "rewardkit serve".
            """
    )

    @Option(name: .shortAndLong, help: "Reward spec: PATH or NAME=PATH (repeatable; name defaults to the file name).")
    var config: [String] = []

    @Flag(help: "Print the OpenAPI document of the server and exit.")
    var printOpenapi = false

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port (0: any free port).")
    var port = 8000

    @Option(help: "Bearer token required on all routes but /health and /ready (default: $REWARDKIT_API_KEY).")
    var apiKey: String?

    @Option(help: "Largest request body in bytes (larger: 413).")
    var maxBodyBytes = 16 << 20

    @Option(help: "Most records (queries) per request (more: 413).")
    var maxRecords = 8192

    @Option(help: "Per-request deadline in seconds, body included (past it: 504 with what was done).")
    var deadline = 30.0

    @Option(help: "Scoring requests served at once; more get 503 with Retry-After at once.")
    var maxInFlight = 512

    @Option(help: "Close a connection idle (or stalled mid-request) for this many seconds.")
    var idleTimeout = 10.0

    @Flag(help: "Score each request's model batch alone instead of merging concurrent requests.")
    var noBatching = false

    @Option(help: "Most samples in one merged model batch.")
    var maxBatch = 64

    @Option(help: "Longest wait in milliseconds for more requests to join a model batch.")
    var maxBatchWaitMs = 5.0

    @Option(help: "Records per scoring slice; the deadline is checked between slices.")
    var sliceRecords = 256

    @Option(help: "Rule-only requests with at most this many records are scored inline (0: never).")
    var inlineRecords = 16

    @Option(help: "At SIGTERM, wait at most this many seconds for model slices a deadline cut off (match your orchestrator's grace period).")
    var shutdownWait = 30.0

    @Flag(help: "Run Swift tasks on Swift's own thread pool instead of NIO's event loops (slower; for comparison).")
    var noEventLoopTasks = false

    @Flag(help: "Do not log each request (the access log) on stderr.")
    var noAccessLog = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard printOpenapi || !config.isEmpty else { throw ValidationError("give at least one --config") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be ≥ 1024") }
        guard maxRecords >= 1, maxInFlight >= 1, maxBatch >= 1, sliceRecords >= 1 else {
            throw ValidationError("--max-records, --max-in-flight, --max-batch and --slice-records must be ≥ 1")
        }
        guard inlineRecords >= 0 else { throw ValidationError("--inline-records must be ≥ 0") }
        guard deadline > 0, idleTimeout > 0, maxBatchWaitMs >= 0, shutdownWait >= 0 else {
            throw ValidationError("--deadline and --idle-timeout must be > 0, --max-batch-wait-ms and --shutdown-wait ≥ 0")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
    }

    /// `NAME=PATH` or `PATH` (name: the file name without extension).
    static func parseConfig(_ arg: String) -> (name: String, path: String) {
        if let eq = arg.firstIndex(of: "="), !arg[..<eq].contains("/") {
            return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
        }
        let file = URL(fileURLWithPath: arg).deletingPathExtension().lastPathComponent
        return (file, arg)
    }

    func run() async throws {
        if printOpenapi {
            FileHandle.standardOutput.write(Data(OpenAPIDocument.json.utf8))
            return
        }
        // First, before any server task starts: a request's task then runs on its connection's
        // event loop instead of crossing to Swift's pool and back (see EventLoopTasks).
        if !noEventLoopTasks { EventLoopTasks.install() }
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in ServeLogHandler(label: label, level: level) }
        let logger = Logger(label: "rewardkit.serve")
        var specs: [ServedSpec] = []
        for arg in config {
            let (name, path) = Self.parseConfig(arg)
            guard !specs.contains(where: { $0.name == name }) else { throw ValidationError("--config: spec name '\(name)' given twice") }
            // The same loader `score` uses: one way to turn a spec into a RewardFunction.
            let (spec, reward) = try StandardRegistry.load(specPath: path)
            let served = ServedSpec(name: name, path: path, reward: reward, groupNormalization: spec.groupNormalization)
            if served.usesModel {
                // Load and page in the model before the port opens, so /ready means ready.
                _ = try await reward.score([Sample(prompt: .text("2+2?"), response: "4", reference: "4")])
            }
            specs.append(served)
            logger.info("loaded spec", metadata: ["name": "\(name)", "path": "\(path)", "model": "\(served.usesModel)"])
        }
        var o = ServerOptions()
        o.host = host
        o.port = port
        o.apiKey = apiKey ?? ProcessInfo.processInfo.environment["REWARDKIT_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        o.maxBodyBytes = maxBodyBytes
        o.maxRecords = maxRecords
        o.deadline = .milliseconds(Int64(deadline * 1000))
        o.maxInFlight = maxInFlight
        o.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        o.batching = !noBatching
        o.maxBatch = maxBatch
        o.maxBatchWait = .microseconds(Int64(maxBatchWaitMs * 1000))
        o.accessLog = !noAccessLog
        o.sliceRecords = sliceRecords
        o.inlineRecords = inlineRecords
        o.shutdownWait = .milliseconds(Int64(shutdownWait * 1000))
        Self.raiseFileLimit()
        let host = self.host
        try await RewardServer.run(specs: specs, options: o, logger: logger) { port in
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
        logger.info("drained, exiting")
    }

    /// Many concurrent connections need many descriptors: lift the soft limit to the hard one.
    static func raiseFileLimit() {
        var l = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &l) == 0, l.rlim_cur < l.rlim_max {
            l.rlim_cur = l.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
        }
    }
}
