import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import RewardCore

/// A real `rewardkit serve` process on 127.0.0.1 with an ephemeral port.
final class LiveServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stderrPipe = Pipe()

    init(_ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--port", "0", "--no-access-log"] + args
        process.currentDirectoryURL = CLI.repoRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderrPipe
        try process.run()
        // The server prints "listening on http://127.0.0.1:PORT" once the socket is bound.
        var line = Data()
        let h = out.fileHandleForReading
        while !line.contains(0x0A) {
            let d = h.availableData
            if d.isEmpty { break }
            line.append(d)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let p = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.terminate()
            throw ConfigError("server did not start: \(text) \(String(decoding: stderrPipe.fileHandleForReading.availableData, as: UTF8.self))")
        }
        port = p
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// SIGTERM, then the exit status (waits at most `timeout` seconds).
    func stop(timeout: Double = 20) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let t0 = Date()
        while process.isRunning, Date().timeIntervalSince(t0) < timeout { usleep(20_000) }
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL); return nil }
        return process.terminationStatus
    }

    /// Everything the server wrote on stderr (call after it exited).
    func stderrText() -> String { String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

enum Python {
    /// Runs python3 in the repository with `env` added; returns status and combined output.
    static func run(_ args: [String], env: [String: String], stdin: Pipe? = nil) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        p.currentDirectoryURL = CLI.repoRoot
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let o = Pipe()
        p.standardOutput = o
        p.standardError = o
        try p.run()
        let d = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: d, as: UTF8.self))
    }
}

@Suite(.serialized) struct ServeCLITests {
    static let live = "clients/python/tests/test_live.py"
    static let mainSpecs = ["--config", "clients/python/tests/math_format.yaml", "--config", "exact=clients/python/tests/exact.yaml",
                            "--config", "rlvr=examples/rlvr.yaml"]

    @Test func openRLHFNativeAPIAndAdapters() throws {
        let server = try LiveServer(Self.mainSpecs)
        let (status, out) = try Python.run([Self.live, "-v", "OpenRLHFTests", "NativeAPITests", "AdapterTests"],
                                           env: ["REWARDKIT_URL": server.url])
        #expect(status == 0, "\(out)")
        #expect(out.contains("OK"))
        #expect(server.stop() == 0)
    }

    /// The server and `rewardkit score` give identical results for the same records and spec,
    /// here through the sliced path (no inline scoring, 4-record slices) that larger requests take.
    @Test func sameResultsAsScore() async throws {
        let server = try LiveServer(Self.mainSpecs + ["--inline-records", "0", "--slice-records", "4"])
        defer { _ = server.stop() }
        let file = try String(contentsOf: CLI.repoRoot.appendingPathComponent("examples/rlvr.jsonl"), encoding: .utf8)
        let lines = file.split(separator: "\n").map(String.init)
        let cli = try CLI.run(["score", "-c", "examples/rlvr.yaml", "--in", "examples/rlvr.jsonl", "--quiet"])
        let expected = cli.out.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        var req = URLRequest(url: URL(string: server.url + "/v1/score/rlvr")!)
        req.httpMethod = "POST"
        req.httpBody = Data(("{\"records\":[" + lines.joined(separator: ",") + "]}").utf8)
        let (data, resp) = try await URLSession.shared.data(for: req)
        #expect((resp as? HTTPURLResponse)?.statusCode == 200)
        let results = try JSONParser.parse(data)["results"]?.arrayValue ?? []
        #expect(results.count == expected.count)
        for (r, e) in zip(results, expected) {
            #expect(r["reward"] == e["reward"])
            #expect(r["rewards"] == e["rewards"])
            #expect(r["error"] == e["error"])
        }
    }

    @Test func errorPaths() throws {
        let server = try LiveServer(["--config", "clients/python/tests/math_format.yaml", "--api-key", "s3cret",
                                     "--max-in-flight", "2", "--idle-timeout", "1", "--deadline", "3", "--max-body-bytes", "1048576",
                                     "--max-records", "100"])
        let (status, out) = try Python.run([Self.live, "-v", "ErrorPathTests"], env: ["REWARDKIT_LIMITS_URL": server.url])
        #expect(status == 0, "\(out)")
        #expect(out.contains("OK"))
        #expect(server.stop() == 0)
    }

    /// Real model work that outlives the request deadline: 504 with the records done so far, then
    /// the server still answers (see DeadlineTests in test_live.py).
    @Test func requestPastDeadlineGets504WithWhatWasDone() throws {
        let server = try LiveServer(["--config", "judge=clients/python/tests/judge_reference.yaml",
                                     "--config", "exact=clients/python/tests/exact.yaml", "--deadline", "1.5", "--slice-records", "1"])
        let (status, out) = try Python.run([Self.live, "-v", "DeadlineTests"], env: ["REWARDKIT_DEADLINE_URL": server.url])
        #expect(status == 0, "\(out)")
        #expect(out.contains("OK") && !out.contains("skipped"), "\(out)")
        #expect(server.stop() == 0)
    }

    /// SIGTERM while a request is half sent: that request still completes with 200, new
    /// connections are refused, and the process exits 0.
    @Test func sigtermDrainsInFlightRequests() throws {
        let server = try LiveServer(["--config", "clients/python/tests/math_format.yaml"])
        let script = """
            import json, socket, sys, time
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            body = json.dumps({"query": ["P: <think>x</think><answer>4</answer>"], "prompts": ["P: "], "labels": ["4"]}).encode()
            s.sendall(b"POST /get_reward HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body[:10])
            print("sent-half", flush=True)
            sys.stdin.readline()
            s.sendall(body[10:])
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                data += s.recv(65536)
            print("status", data.split(b" ")[1].decode(), flush=True)
            while True:
                c = s.recv(65536)
                if not c: break
                data += c
            print("body", data.split(b"\\r\\n\\r\\n", 1)[1].decode(), flush=True)
            try:
                socket.create_connection(("127.0.0.1", \(server.port)), timeout=2).close()
                print("new-connection accepted")
            except OSError:
                print("new-connection refused")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let i = Pipe(), o = Pipe()
        p.standardInput = i
        p.standardOutput = o
        try p.run()
        var got = Data()
        while !String(decoding: got, as: UTF8.self).contains("sent-half") {
            let d = o.fileHandleForReading.availableData
            if d.isEmpty { break }
            got.append(d)
        }
        usleep(200_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        #expect(server.process.isRunning, "exited before the in-flight request finished")
        i.fileHandleForWriting.write(Data("go\n".utf8))
        got.append(o.fileHandleForReading.readDataToEndOfFile())
        p.waitUntilExit()
        let text = String(decoding: got, as: UTF8.self)
        #expect(text.contains("status 200"), "\(text)")
        #expect(text.contains("\"rewards\":[1]"), "\(text)")
        #expect(text.contains("new-connection refused"), "\(text)")
        #expect(server.stop() == 0)
    }

    /// SIGTERM right after a 504 whose model slice is still running: the server waits for the
    /// cut-off slice (the engine must not be torn down under a forward pass), then exits 0 normally.
    /// The request and the SIGTERM come from one python process, back to back: an `await` in this
    /// test could resume seconds late while parallel tests hold the runner's threads, and by then
    /// the slice (about 5 s of forward passes, quiet) may be done, leaving nothing to wait for.
    @Test func sigtermWaitsForCutOffModelSlice() throws {
        let server = try LiveServer(["--config", "judge=clients/python/tests/judge_reference.yaml", "--deadline", "0.2",
                                     "--slice-records", "64", "--shutdown-wait", "280"])
        let script = """
            import json, os, signal, urllib.error, urllib.request
            records = [{"prompt": f"What is 3 + {i}?", "response": f"It is {3 + i}.", "reference": str(3 + i)} for i in range(12)]
            req = urllib.request.Request("\(server.url)/v1/score", data=json.dumps({"records": records}).encode(), method="POST")
            try:
                status = urllib.request.urlopen(req, timeout=600).status
            except urllib.error.HTTPError as e:
                status = e.code
            os.kill(\(server.process.processIdentifier), signal.SIGTERM)
            print("status", status, flush=True)
            """
        let (status, out) = try Python.run(["-c", script], env: [:])
        // 12 judge records in one slice are 24 forward sequences: seconds of work against a 0.2 s deadline.
        #expect(status == 0 && out.contains("status 504"), "\(out)")
        #expect(server.stop(timeout: 300) == 0)
        let err = server.stderrText()
        #expect(err.contains("waiting for cut-off slices"), "\(err)")
        #expect(!err.contains("still running at exit"), "\(err)")
    }

    /// The event loops run request tasks (EventLoopTasks), but a model forward pass must never hold
    /// one: while a request's judge forward runs (seconds), /health on 8 fresh connections, which
    /// the server spreads over all its loops, is answered before that request completes.
    @Test func modelWorkDoesNotHoldTheEventLoops() throws {
        let server = try LiveServer(["--config", "judge=clients/python/tests/judge_reference.yaml", "--deadline", "600"])
        let script = """
            import json, threading, time, urllib.request
            base = "http://127.0.0.1:\(server.port)"
            records = [{"prompt": f"What is 3 + {i}?", "response": f"It is {3 + i}.", "reference": str(3 + i)} for i in range(12)]
            done = {}
            def big():
                req = urllib.request.Request(base + "/v1/score/judge", data=json.dumps({"records": records}).encode(), method="POST")
                done["status"] = urllib.request.urlopen(req, timeout=900).status
            t = threading.Thread(target=big)
            t.start()
            while b"rewardkit_in_flight_requests 1" not in urllib.request.urlopen(base + "/metrics", timeout=900).read():
                if not t.is_alive(): break
                time.sleep(0.01)
            ok = sum(urllib.request.urlopen(base + "/health", timeout=900).status == 200 for _ in range(8))
            print("health", ok, "while-big-running", "status" not in done, flush=True)
            t.join()
            print("big", done.get("status"), flush=True)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let o = Pipe()
        p.standardOutput = o
        p.standardError = o
        try p.run()
        let text = String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(text.contains("health 8 while-big-running True"), "\(text)")
        #expect(text.contains("big 200"), "\(text)")
        #expect(server.stop(timeout: 300) == 0)
    }

    @Test func printOpenAPIMatchesCommittedDocument() throws {
        let r = try CLI.run(["serve", "--print-openapi"])
        #expect(r.status == 0)
        let committed = try Data(contentsOf: CLI.repoRoot.appendingPathComponent("docs/openapi.json"))
        #expect(try JSONParser.parse(Data(r.out.utf8)) == JSONParser.parse(committed))
    }

    @Test func badConfigFailsAtStartup() throws {
        let r = try CLI.run(["serve", "--port", "0", "--config", "nope.yaml"])
        #expect(r.status != 0)
        #expect(r.err.contains("nope.yaml"))
    }
}
