import Foundation
import Hummingbird
import Logging
import RewardCore

/// `rewardkit serve`: the OpenRLHF remote-RM route, the native scoring API, health,
/// readiness, metrics and the OpenAPI document on Hummingbird 2 (HTTP/1.1).
public enum RewardServer {
    /// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests
    /// finish (each is bounded by the deadline), waits (at most `options.shutdownWait`)
    /// for model slices that a deadline cut off, and returns.
    /// `onListening` gets the bound port (useful with port 0).
    public static func run(specs: [ServedSpec], options: ServerOptions, logger: Logger,
                           onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        precondition(!specs.isEmpty, "at least one spec")
        let service = RewardService(specs: specs, options: options)
        let router = makeRouter(service: service, logger: logger)
        let idleMs = Int64(options.idleTimeout.seconds * 1000)
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(idleMs))),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "rewardkit",
                                 backlog: 4096),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? options.port) },
            logger: logger
        )
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        // Every request is answered; slices a deadline cut off may still be in a forward pass.
        // Wait for them so the caller's normal exit does not free the engine under them.
        let running = service.background.count
        if running > 0 {
            logger.info("waiting for cut-off slices", metadata: ["slices": "\(running)"])
            let left = await service.background.drain(timeout: options.shutdownWait)
            if left > 0 {
                logger.error("cut-off slices still running at exit", metadata: ["slices": "\(left)", "waited": "\(options.shutdownWait)"])
            }
        }
    }

    static func makeRouter(service: RewardService, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: EdgeMiddleware(service: service, logger: logger))
        router.post("get_reward") { request, _ in try await service.getReward(request, specName: nil) }
        router.post(":spec/get_reward") { request, context in
            try await service.getReward(request, specName: context.parameters.get("spec"))
        }
        router.post("v1/score") { request, _ in try await service.score(request, specName: nil) }
        router.post("v1/score/:spec") { request, context in
            try await service.score(request, specName: context.parameters.get("spec"))
        }
        router.get("v1/specs") { _, _ in JSONResponse.make(service.specsJSON) }
        router.get("health") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("ready") { _, _ in
            // Specs (and their models) are loaded and warmed before the socket is bound.
            JSONResponse.make(["status": "ready", "specs": .number(Double(service.order.count))])
        }
        router.get("metrics") { _, _ in
            JSONResponse.bytes(Array(service.metrics.text.utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("openapi.json") { _, _ in JSONResponse.bytes(Array(OpenAPIDocument.json.utf8)) }
        return router
    }
}

/// Outermost middleware: bearer auth, errors as JSON, metrics and the access log.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let service: RewardService
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let route = Self.route(path)
        var response: Response
        do {
            if let key = service.options.apiKey, route != "/health", route != "/ready",
               !BearerAuth.matches(header: request.headers[.authorization], key: key)
            {
                service.metrics.rejected("unauthorized")
                throw APIError(.unauthorized, "missing or wrong bearer token", headers: [.wwwAuthenticate: "Bearer"])
            }
            response = try await next(request, context)
        } catch let e as APIError {
            response = e.response
        } catch let e as any HTTPResponseError {
            response = APIError(e.status, e.status == .notFound ? "no route \(request.method) \(path)" : "\(e.status)").response
        } catch {
            response = APIError(.internalServerError, "\(error)").response
        }
        let seconds = (ContinuousClock.now - start).seconds
        service.metrics.request(route: route, status: response.status.code, seconds: seconds)
        if service.options.accessLog {
            logger.info("access", metadata: ["method": "\(request.method)", "path": "\(path)", "status": "\(response.status.code)",
                                             "ms": "\(String(format: "%.3f", seconds * 1000))"])
        }
        return response
    }

    /// Route label for metrics: the route template, so spec names do not explode cardinality.
    static func route(_ path: String) -> String {
        switch path {
        case "/get_reward", "/v1/score", "/v1/specs", "/health", "/ready", "/metrics", "/openapi.json": return path
        default:
            if path.hasSuffix("/get_reward") { return "/{spec}/get_reward" }
            if path.hasPrefix("/v1/score/") { return "/v1/score/{spec}" }
            return "other"
        }
    }
}
