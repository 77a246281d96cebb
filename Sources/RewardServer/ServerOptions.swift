/// Every limit and knob of `rewardkit serve`; defaults are safe for a public-facing box.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (printed on stdout as `listening on http://HOST:PORT`).
    public var port = 8000
    /// Largest request body; larger ones get 413 before they are buffered.
    public var maxBodyBytes = 16 << 20
    /// Most records (queries) per request; more get 413.
    public var maxRecords = 8192
    /// Per-request deadline, body reading included; past it the reply is 504 with what was done.
    public var deadline: Duration = .seconds(30)
    /// Scoring requests served at once; the next one gets 503 + Retry-After at once (no queue).
    public var maxInFlight = 512
    public var retryAfterSeconds = 1
    /// A connection that sends nothing for this long (a stalled or slowloris client) is closed.
    public var idleTimeout: Duration = .seconds(10)
    /// Bearer token required on every route but /health and /ready, when set.
    public var apiKey: String?
    /// Model-backed specs: merge concurrent requests into one forward batch.
    public var batching = true
    public var maxBatch = 64
    public var maxBatchWait: Duration = .milliseconds(5)
    /// Records scored per slice; the deadline is checked between slices.
    public var sliceRecords = 256
    /// Rule-only requests with at most this many records are scored inline in the handler
    /// (no task hop, no deadline timer): at ≤ ~50 µs a record that is ≤ ~1 ms of work. Under
    /// `rewardkit serve` the handler runs on its connection's event loop (`EventLoopTasks`),
    /// so this bounds how long one request may hold a loop; larger requests go to the work
    /// pool in slices (`WorkExecutor`, `DeadlineRunner`).
    public var inlineRecords = 16
    /// …and at most this many body bytes, so "small" holds for the text too: a huge record goes
    /// through the sliced path (off the loop) and still gets its 504 at the deadline.
    public var inlineBodyBytes = 16 << 10
    /// At shutdown, how long to wait for slices a deadline cut off (a forward pass in flight).
    public var shutdownWait: Duration = .seconds(30)
    /// Log every request at info level (the access log).
    public var accessLog = true

    public init() {}
}
