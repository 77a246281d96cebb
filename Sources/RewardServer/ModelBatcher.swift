import Foundation
import RewardCore

/// Merges concurrent requests for a model-backed spec into one forward batch: a request's
/// samples wait until `maxBatch` samples are queued or `maxWait` has passed since the
/// first of them, then one `score` call runs over all of them and each request gets its
/// own slice back. One batch runs at a time (the engine uses every core already), so
/// requests arriving during a forward pass form the next batch.
actor ModelBatcher {
    private struct Pending {
        var samples: [Sample]
        var continuation: CheckedContinuation<[RewardResult], any Error>
    }

    private let reward: any RewardFunction
    private let maxBatch: Int
    private let maxWait: Duration
    private let metrics: ServerMetrics
    private var queue: [Pending] = []
    private var queued = 0
    private var running = false

    init(reward: any RewardFunction, maxBatch: Int, maxWait: Duration, metrics: ServerMetrics) {
        self.reward = reward
        self.maxBatch = max(1, maxBatch)
        self.maxWait = maxWait
        self.metrics = metrics
    }

    func score(_ samples: [Sample]) async throws -> [RewardResult] {
        guard !samples.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { c in
            queue.append(Pending(samples: samples, continuation: c))
            queued += samples.count
            metrics.queueDepth(samples.count)
            if !running {
                running = true
                // Forward passes run on the work pool, never on an event loop.
                workTask { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            // Let concurrent requests join until the batch is full or maxWait has passed; the
            // actor accepts them while this sleeps (short naps, so a full batch goes at once).
            let until = ContinuousClock.now.advanced(by: maxWait)
            while queued < maxBatch, ContinuousClock.now < until {
                try? await Task.sleep(for: min(.microseconds(500), until - ContinuousClock.now))
            }
            // Take whole requests up to maxBatch samples (always at least one request).
            var take = 0, n = 0
            while take < queue.count, take == 0 || n + queue[take].samples.count <= maxBatch {
                n += queue[take].samples.count
                take += 1
            }
            let batch = Array(queue.prefix(take))
            queue.removeFirst(take)
            queued -= n
            metrics.queueDepth(-n)
            let all = batch.flatMap(\.samples)
            let start = ContinuousClock.now
            do {
                let results = try await reward.score(all, context: .empty)
                metrics.batch(size: all.count, seconds: (ContinuousClock.now - start).seconds)
                var at = 0
                for p in batch {
                    p.continuation.resume(returning: Array(results[at..<at + p.samples.count]))
                    at += p.samples.count
                }
            } catch {
                for p in batch { p.continuation.resume(throwing: error) }
            }
        }
        running = false
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
