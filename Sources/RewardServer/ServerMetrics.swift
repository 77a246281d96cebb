import Foundation

/// Counters, gauges and histograms in the Prometheus text exposition format (0.0.4),
/// written by hand: a few dictionaries behind one lock cost less build time than
/// swift-prometheus and need no metrics bootstrap.
final class ServerMetrics: Sendable {
    struct Histogram {
        var bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0
        init(bounds: [Double]) { self.bounds = bounds; counts = [Int](repeating: 0, count: bounds.count) }
        mutating func observe(_ v: Double) {
            for (i, b) in bounds.enumerated() where v <= b { counts[i] += 1 }
            sum += v
            count += 1
        }
    }

    struct RouteStatus: Hashable { var route: String; var status: Int }

    struct State {
        var requests: [RouteStatus: Int] = [:]
        var latency: [String: Histogram] = [:]       // route
        var records: [String: Int] = [:]             // spec
        var recordErrors: [String: Int] = [:]        // spec
        var rejected: [String: Int] = [:]            // reason
        var batchSizes = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        var forward = Histogram(bounds: ServerMetrics.secondsBounds)
        var queueDepth = 0
    }

    static let secondsBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private let state = Locked(State())
    let inFlight: @Sendable () -> Int

    init(inFlight: @escaping @Sendable () -> Int) { self.inFlight = inFlight }

    func request(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests[RouteStatus(route: route, status: status), default: 0] += 1
            s.latency[route, default: Histogram(bounds: Self.secondsBounds)].observe(seconds)
        }
    }

    func records(spec: String, scored: Int, errors: Int) {
        state.withLock { s in
            s.records[spec, default: 0] += scored
            s.recordErrors[spec, default: 0] += errors
        }
    }

    func rejected(_ reason: String) { state.withLock { $0.rejected[reason, default: 0] += 1 } }

    func batch(size: Int, seconds: Double) {
        state.withLock { s in
            s.batchSizes.observe(Double(size))
            s.forward.observe(seconds)
        }
    }

    func queueDepth(_ delta: Int) { state.withLock { $0.queueDepth += delta } }

    var text: String {
        let s = state.withLock { $0 }
        var out = ""
        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func histogram(_ name: String, _ labels: String, _ h: Histogram) {
            let sep = labels.isEmpty ? "" : labels + ","
            for (b, c) in zip(h.bounds, h.counts) { out += "\(name)_bucket{\(sep)le=\"\(fmt(b))\"} \(c)\n" }
            out += "\(name)_bucket{\(sep)le=\"+Inf\"} \(h.count)\n"
            let l = labels.isEmpty ? "" : "{\(labels)}"
            out += "\(name)_sum\(l) \(fmt(h.sum))\n\(name)_count\(l) \(h.count)\n"
        }
        header("rewardkit_http_requests_total", "counter", "HTTP requests by route and status.")
        for (k, v) in s.requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            out += "rewardkit_http_requests_total{route=\"\(k.route)\",status=\"\(k.status)\"} \(v)\n"
        }
        header("rewardkit_http_request_duration_seconds", "histogram", "Request latency by route.")
        for (route, h) in s.latency.sorted(by: { $0.key < $1.key }) {
            histogram("rewardkit_http_request_duration_seconds", "route=\"\(route)\"", h)
        }
        header("rewardkit_records_scored_total", "counter", "Records scored, by spec.")
        for (k, v) in s.records.sorted(by: { $0.key < $1.key }) { out += "rewardkit_records_scored_total{spec=\"\(k)\"} \(v)\n" }
        header("rewardkit_record_errors_total", "counter", "Records that could not be scored, by spec.")
        for (k, v) in s.recordErrors.sorted(by: { $0.key < $1.key }) { out += "rewardkit_record_errors_total{spec=\"\(k)\"} \(v)\n" }
        header("rewardkit_rejected_requests_total", "counter", "Requests refused before scoring, by reason.")
        for (k, v) in s.rejected.sorted(by: { $0.key < $1.key }) { out += "rewardkit_rejected_requests_total{reason=\"\(k)\"} \(v)\n" }
        header("rewardkit_in_flight_requests", "gauge", "Scoring requests being served.")
        out += "rewardkit_in_flight_requests \(inFlight())\n"
        header("rewardkit_batch_queue_depth", "gauge", "Samples waiting for the model batcher.")
        out += "rewardkit_batch_queue_depth \(s.queueDepth)\n"
        header("rewardkit_batch_size", "histogram", "Samples per model forward batch.")
        histogram("rewardkit_batch_size", "", s.batchSizes)
        header("rewardkit_model_forward_seconds", "histogram", "Time of one batched model scoring call.")
        histogram("rewardkit_model_forward_seconds", "", s.forward)
        return out
    }

    private func fmt(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
