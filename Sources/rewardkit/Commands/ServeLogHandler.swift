import Foundation
import Logging

/// `rewardkit serve`'s stderr log handler: StreamLogHandler's line format, but metadata is
/// formatted when a line is written, not whenever it is set. Hummingbird sets a request id
/// on every request's logger; StreamLogHandler re-renders all metadata on each set, which
/// cost ~3 % of the server's CPU per 1-record request even with the access log off.
struct ServeLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata = Logger.Metadata()
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let p = metadataProvider?.get() { all.merge(p) { $1 } }
        if let m = event.metadata { all.merge(m) { $1 } }
        if let e = event.error { all["error.message"] = "\(e)" }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Self.timestamp()) \(event.level) \(label):\(meta) [\(event.source)] \(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func timestamp() -> String {
        var t = time(nil)
        var parts = tm()
        localtime_r(&t, &parts)
        var buf = [Int8](repeating: 0, count: 64)
        let n = strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
