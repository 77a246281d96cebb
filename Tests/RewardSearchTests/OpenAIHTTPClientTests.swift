import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking  // tests only; the rewardkit binary must not link it
#endif
import Testing
import RewardEngine
@testable import RewardSearch

/// The transport of `OpenAIGenerator` against a small real HTTP server on 127.0.0.1 (Python's http.server in
/// a subprocess) whose replies are chosen by the prompt: retries on 5xx/429, no retry on 4xx, timeouts,
/// headers and the exact JSON body. Not a mock: real sockets, real HTTP/1.1 parsing on both sides.
@Suite(.serialized) struct OpenAIHTTPClientTests {
    /// Prompt "flaky:K": the first K requests with that prompt get 503, 429, 503, … then 200.
    /// "slow": no answer for 600 s. "bad": 400. Otherwise 200. A 200's text is the request (path, headers,
    /// JSON body, the client's port) as JSON; finish_reason is "stop" when the request has stop strings. GET /stats: requests
    /// received per prompt (and CONNECTs per target: the stub is also an HTTP proxy tunnelling to itself).
    static let script = #"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
counts, lock = {}, threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def do_GET(self):
        with lock: self.reply(200, dict(counts))
    def do_CONNECT(self):  # as a proxy: the tunnel ends here, this server answers what comes through it
        with lock: counts["CONNECT " + self.path] = counts.get("CONNECT " + self.path, 0) + 1
        self.send_response(200); self.end_headers()
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        p = body.get("prompt", "")
        with lock:
            counts[p] = counts.get(p, 0) + 1; n = counts[p]
        if p.startswith("flaky:") and n <= int(p[6:]):
            return self.reply(503 if n % 2 else 429, {"error": "busy %d" % n})
        if p == "slow":
            time.sleep(600); return
        if p == "bad":
            return self.reply(400, {"error": "bad prompt"})
        echo = {"path": self.path, "host": self.headers.get("Host"), "auth": self.headers.get("Authorization"),
                "type": self.headers.get("Content-Type"), "body": body, "peer": self.client_address[1]}
        self.reply(200, {"choices": [{"text": json.dumps(echo, sort_keys=True),
                                      "finish_reason": "stop" if "stop" in body else "length"}],
                         "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
s = ThreadingHTTPServer(("127.0.0.1", 0), H); s.daemon_threads = True
if len(sys.argv) > 2:  # https with this certificate and key
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"""#

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `body` with the stub's root URL (http://127.0.0.1:PORT), then kills the stub.
    static func withStub<T>(tls: (cert: String, key: String)? = nil, _ body: (URL) async throws -> T) async throws -> T {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + (tls.map { [$0.cert, $0.key] } ?? [])
        p.standardOutput = out
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        // The stub binds port 0 and prints the port once it listens (no free-port race).
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            line.append(d)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(description: "stub server did not start: \(String(decoding: line, as: UTF8.self))")
        }
        return try await body(URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")!)
    }

    /// Requests received per prompt.
    static func stats(_ root: URL) async throws -> [String: Int] {
        let (data, _) = try await URLSession.shared.data(from: root.appendingPathComponent("stats"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
    }

    static func echo(_ s: GeneratedText) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.text.utf8)) as? [String: Any])
    }

    @Test func retriesFiveHundredsAnd429ThenSucceedsAndSendsTheSameRequest() async throws {
        try await Self.withStub { root in
            let gen = OpenAIGenerator(baseURL: root, model: "m1", apiKey: "sk-test", maxConcurrency: 2, maxAttempts: 4,
                                      initialBackoff: 0.02, timeout: 20)
            let jobs = [
                GenerationJob(context: "flaky:3", stop: [], maxTokens: 7, temperature: 0, seeds: [7]),
                GenerationJob(context: "hello", stop: ["\n"], maxTokens: 5, temperature: 0.5, topP: 0.5, topK: 40, seeds: [1, 2]),
                GenerationJob(context: "bad", stop: [], maxTokens: 4, temperature: 0, seeds: [0]),
                GenerationJob(context: "flaky:9", stop: [], maxTokens: 4, temperature: 0, seeds: [0]),
            ]
            let out = try await gen.generate(jobs)
            // Three failures (503, 429, 503) then the answer, within four attempts.
            #expect(out[0].error == nil && out[0].samples.count == 1)
            let e0 = try Self.echo(out[0].samples[0])
            #expect(e0["path"] as? String == "/v1/completions")
            #expect(e0["auth"] as? String == "Bearer sk-test")
            #expect(e0["type"] as? String == "application/json")
            let b0 = try #require(e0["body"] as? [String: Any])
            #expect(Set(b0.keys) == ["prompt", "max_tokens", "temperature", "top_p", "n", "seed", "model"])
            #expect(b0["prompt"] as? String == "flaky:3" && b0["max_tokens"] as? Int == 7 && b0["seed"] as? Int == 7)
            #expect(b0["n"] as? Int == 1 && b0["model"] as? String == "m1" && b0["temperature"] as? Double == 0)
            #expect(out[0].samples[0].finish == .length && out[0].samples[0].completionTokens == 2)
            #expect(out[0].contextTokens == 3 && out[0].prefillTokens == 3)
            // Two samples, each with its seed; the stop string is appended to the text.
            #expect(out[1].samples.count == 2 && out[1].prefillTokens == 6)
            #expect(out[1].samples.allSatisfy { $0.finish == .stop && $0.text.hasSuffix("\n") })
            let b1 = try out[1].samples.map { s -> [String: Any] in
                var t = s; t.text.removeLast()
                return try #require(try Self.echo(t)["body"] as? [String: Any])
            }
            #expect(b1.map { $0["seed"] as? Int } == [1, 2])
            #expect(b1[0]["stop"] as? [String] == ["\n"] && b1[0]["top_k"] as? Int == 40 && b1[0]["top_p"] as? Double == 0.5)
            // A 4xx is the job's error at once; the other jobs are unaffected.
            #expect(out[2].samples.isEmpty && out[2].error?.hasPrefix("HTTP 400: ") == true && out[2].error?.contains("bad prompt") == true)
            // Still failing after the last attempt: the last status in the job's error.
            #expect(out[3].samples.isEmpty && out[3].error?.hasPrefix("after 4 attempts: HTTP 429: ") == true, "\(out[3].error ?? "")")
            let stats = try await Self.stats(root)
            #expect(stats == ["flaky:3": 4, "hello": 2, "bad": 1, "flaky:9": 4])
        }
    }

    @Test func timeoutIsRetriedThenBecomesTheJobError() async throws {
        try await Self.withStub { root in
            let gen = OpenAIGenerator(baseURL: root.appendingPathComponent("v1"), maxConcurrency: 4, maxAttempts: 2,
                                      initialBackoff: 0.02, timeout: 1)
            let t0 = Date()
            let out = try await gen.generate([GenerationJob(context: "slow", seeds: [0]), GenerationJob(context: "ok", seeds: [0])])
            let dt = Date().timeIntervalSince(t0)
            #expect(out[0].samples.isEmpty)
            #expect(out[0].error?.hasPrefix("after 2 attempts: \(root.absoluteString)/v1: timed out after 1.0 s") == true, "\(out[0].error ?? "")")
            #expect(out[1].error == nil && out[1].samples.count == 1)
            // Two attempts of ≥ 1 s each. No upper bound: under a loaded test run the cooperative threads can be
            // busy for many seconds; the message above already says the timeout, not the stub, ended them.
            #expect(dt >= 2, "\(dt)")
            #expect(try await Self.stats(root)["slow"] == 2)
        }
    }

    @Test func consecutiveGenerateCallsReuseTheConnection() async throws {
        try await Self.withStub { root in
            // One connection at a time: a search's steps are one `generate` call each, and each used to connect
            // again (a new client per call); the process's client per backend keeps the connection alive.
            let gen = OpenAIGenerator(baseURL: root, maxConcurrency: 1, maxAttempts: 2, initialBackoff: 0.02, timeout: 20)
            var peers: [Int] = []
            for step in 0..<3 {
                let out = try await gen.generate([GenerationJob(context: "step \(step)", seeds: [0])])
                #expect(out[0].error == nil, "\(out[0].error ?? "")")
                let sample = try #require(out[0].samples.first)
                peers.append(try #require(try Self.echo(sample)["peer"] as? Int))
            }
            #expect(Set(peers).count == 1, "client ports \(peers)")
        }
    }

    @Test func proxyFromTheEnvironmentAsLibcurlReadsIt() {
        let http = URL(string: "http://api.example.com:8000/v1")!, https = URL(string: "https://api.example.com/v1")!
        typealias P = OpenAIHTTPProxy
        #expect(P.proxy(for: http, environment: [:]) == nil)
        #expect(P.proxy(for: http, environment: ["http_proxy": "proxy.local:3128"]) == .server(host: "proxy.local", port: 3128))
        // Upper-case HTTP_PROXY is ignored for http (libcurl: CGI's HTTP_PROXY header), honoured for https.
        #expect(P.proxy(for: http, environment: ["HTTP_PROXY": "proxy.local:3128"]) == nil)
        #expect(P.proxy(for: https, environment: ["HTTPS_PROXY": "http://proxy.local"]) == .server(host: "proxy.local", port: 1080))
        #expect(P.proxy(for: https, environment: ["http_proxy": "proxy.local:3128"]) == nil)
        #expect(P.proxy(for: https, environment: ["all_proxy": "socks5://s.local:9050"]) == .socksServer(host: "s.local", port: 9050))
        #expect(P.proxy(for: http, environment: ["http_proxy": "http://u%40x:p@proxy.local:8080"])
                == .server(host: "proxy.local", port: 8080, authorization: .basic(username: "u@x", password: "p")))
        // no_proxy: exact hosts and domain suffixes, "*" for all.
        for np in ["example.com", ".example.com", "other, api.example.com", "*"] {
            #expect(P.proxy(for: http, environment: ["http_proxy": "proxy.local:3128", "no_proxy": np]) == nil, "\(np)")
        }
        #expect(P.proxy(for: http, environment: ["http_proxy": "proxy.local:3128", "NO_PROXY": "ample.com"]) != nil)
    }

    @Test func requestsGoThroughAnHTTPProxy() async throws {
        try await Self.withStub { root in
            // The stub as the proxy of a host that does not exist: AsyncHTTPClient tunnels (CONNECT) even for http.
            let http = OpenAIHTTPClient(maxConnections: 1, timeout: 20, proxy: .server(host: root.host!, port: root.port!))
            let body = try JSONSerialization.data(withJSONObject: ["prompt": "via proxy"])
            let reply: OpenAIHTTPClient.Reply
            do {
                reply = try await http.post(URL(string: "http://api.example.invalid:8000/v1/completions")!,
                                            headers: [("Content-Type", "application/json")], body: body)
            } catch {
                await http.shutdown(); throw error
            }
            await http.shutdown()
            #expect(reply.status == 200)
            guard case .success(let c) = OpenAIGenerator.parse(reply.body, stops: []) else { Issue.record("no choice"); return }
            let echo = try #require(try JSONSerialization.jsonObject(with: Data(c.text.utf8)) as? [String: Any])
            #expect(echo["path"] as? String == "/v1/completions" && echo["host"] as? String == "api.example.invalid:8000")
            #expect(try await Self.stats(root)["CONNECT api.example.invalid:8000"] == 1)
        }
    }

    @Test func httpsHandshakeRunsAndAnUntrustedCertificateIsATLSError() async throws {
        // A self-signed certificate made now (openssl, as on any Debian with ca-certificates).
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rk-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("c.pem").path, key = dir.appendingPathComponent("k.pem").path
        let o = Process()
        o.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        o.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                       "-days", "1", "-subj", "/CN=127.0.0.1"]
        o.standardError = FileHandle.nullDevice
        try o.run(); o.waitUntilExit()
        try #require(o.terminationStatus == 0)
        try await Self.withStub(tls: (cert, key)) { root in
            #expect(root.scheme == "https")
            let gen = OpenAIGenerator(baseURL: root, maxAttempts: 2, initialBackoff: 0.02, timeout: 20)
            let error = await #expect(throws: BackendUnavailable.self) {
                _ = try await gen.generate([GenerationJob(context: "hello", seeds: [0])])
            }
            #expect(error?.description == "backend unavailable: after 2 attempts: \(root.absoluteString)/v1: TLS error: CERTIFICATE_VERIFY_FAILED")
        }
    }
}
