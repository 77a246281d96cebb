import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The HTTP transport of `OpenAIGenerator`: AsyncHTTPClient (SwiftNIO, TLS via BoringSSL linked in) rather
/// than URLSession, because on Linux URLSession lives in FoundationNetworking, which links libcurl and about
/// 30 shared objects that every `rewardkit` process then loads and relocates at start (issue 15).
/// `shared` keeps one client per backend and settings for the life of the process, so a search's steps
/// reuse kept-alive connections (and TLS sessions) instead of connecting again for every `generate` call.
final class OpenAIHTTPClient: Sendable {
    struct Reply: Sendable {
        var status: Int
        var body: Data
    }

    /// A response body larger than this is an error, not an allocation.
    static let maxResponseBytes = 64 << 20

    let client: HTTPClient
    let timeout: Double
    /// `timeout` as NIO's time amount, for each request's deadline.
    let deadline: TimeAmount

    /// Clients by backend and settings; never shut down (like `HTTPClient.shared`): their idle connections
    /// close after the pool's idle timeout, and the process's exit ends the rest.
    private static let clients = Mutex<[String: OpenAIHTTPClient]>([:])

    /// The process's client for requests to `url` with these settings (the proxy is the environment's for `url`).
    static func shared(for url: URL, maxConnections: Int, timeout: Double) -> OpenAIHTTPClient {
        let key = "\(maxConnections) \(timeout) \(url.scheme ?? "") \(url.host ?? "") \(url.port ?? -1)"
        return clients.withLock { all in
            if let c = all[key] { return c }
            let c = OpenAIHTTPClient(maxConnections: maxConnections, timeout: timeout, proxy: OpenAIHTTPProxy.proxy(for: url))
            all[key] = c
            return c
        }
    }

    /// `timeout`: seconds allowed for connecting, for the response to start, and between body bytes.
    /// A client made here must be shut down (`shutdown`); `shared` ones never are.
    init(maxConnections: Int, timeout: Double, proxy: HTTPClient.Configuration.Proxy? = nil) {
        let t = TimeAmount.nanoseconds(Int64(timeout * 1e9))
        deadline = t
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60),
                                                            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        // The generator retries with its own backoff and attempt count; a refused connection must fail the
        // attempt now, not wait inside the pool until the deadline.
        pool.retryConnectionEstablishment = false
        let config = HTTPClient.Configuration(timeout: .init(connect: t, read: t), connectionPool: pool, proxy: proxy)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        self.timeout = timeout
    }

    /// POSTs `body`; the whole reply (any status). Throws on transport errors and timeouts.
    func post(_ url: URL, headers: [(String, String)], body: Data) async throws -> Reply {
        var req = HTTPClientRequest(url: url.absoluteString)
        req.method = .POST
        for (name, value) in headers { req.headers.add(name: name, value: value) }
        req.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(req, timeout: deadline)
        let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
        return Reply(status: Int(response.status.code), body: Data(buffer.readableBytesView))
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// A transport error in words for a job's `error` (AsyncHTTPClient's own descriptions are type names).
    func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .readTimeout, .deadlineExceeded, .connectTimeout, .tlsHandshakeTimeout:
                return "timed out after \(timeout) s (\(e.shortDescription.lowercased()))"
            default:
                return e.shortDescription.lowercased()
            }
        }
        if let e = error as? IOError {  // NIO's own text repeats itself ("connection reset (error set): …")
            return "\(String(cString: strerror(e.errnoCode))) (errno \(e.errnoCode))"
        }
        if error is NIOTooManyBytesError { return "response larger than \(Self.maxResponseBytes >> 20) MiB" }
        let text = String(describing: error)
        // NIOSSL prints BoringSSL's error queue with source paths; the reason names are what a user needs.
        let reasons = text.components(separatedBy: "OPENSSL_internal:").dropFirst().map { $0.prefix { $0 != " " && $0 != "]" } }
        return reasons.isEmpty ? text : "TLS error: " + reasons.joined(separator: ", ")
    }
}
