import Foundation

/// A memory-mapped safetensors file (Hugging Face): u64 little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {…}}`, then row-major
/// little-endian tensor bytes. Only the float types the engine computes with are accepted (BF16, F16,
/// F32); offsets must tile the data section exactly. Data need not be aligned (not every writer pads).
public final class SafeTensorsFile: @unchecked Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let type: GGMLType
        /// Row-major shape as written (PyTorch order: [out, in] for a Linear weight).
        public let shape: [Int]
        /// Absolute byte offset in the file.
        let offset: Int
        public let byteCount: Int
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// Largest header accepted (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    public let path: String
    public let tensors: [String: Entry]
    public let metadata: [String: String]
    public var fileSize: Int { file.size }
    /// The mapping; entries point into it for the object's lifetime.
    let file: MappedFile
    var base: UnsafeRawPointer { file.base }

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path, minimumSize: 8) {
            EngineError.invalidCheckpoint("\(path): \($0) bytes, too short for a safetensors file")
        }
        (tensors, metadata) = try Self.parseHeader(file.base, size: file.size, path: path)
    }

    public func data(_ e: Entry) -> UnsafeRawPointer { base + e.offset }

    static func dtype(_ s: String) -> GGMLType? {
        switch s {
        case "BF16": return .bf16
        case "F16": return .f16
        case "F32": return .f32
        default: return nil
        }
    }

    private static func parseHeader(_ base: UnsafeRawPointer, size: Int, path: String) throws -> ([String: Entry], [String: String]) {
        let n = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard n <= UInt64(maxHeaderBytes) else {
            throw EngineError.invalidCheckpoint("\(path): header length \(n) exceeds the \(maxHeaderBytes)-byte limit")
        }
        guard n >= 2, Int(n) <= size - 8 else {
            throw EngineError.invalidCheckpoint("\(path): header length \(n) does not fit in a \(size)-byte file")
        }
        let headerData = Data(bytes: base + 8, count: Int(n))
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerData) } catch {
            throw EngineError.invalidCheckpoint("\(path): header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw EngineError.invalidCheckpoint("\(path): header is not a JSON object") }
        let dataStart = 8 + Int(n)
        let dataLength = size - dataStart
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        var spans: [(Int, Int, String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw EngineError.invalidCheckpoint("\(path): __metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw EngineError.invalidCheckpoint("\(path): __metadata__.\(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let e = value as? [String: Any], let dt = e["dtype"] as? String,
                  let shapeAny = e["shape"] as? [Any], let offsAny = e["data_offsets"] as? [Any] else {
                throw EngineError.invalidCheckpoint("\(path): tensor \(name): entry needs dtype, shape and data_offsets")
            }
            guard let type = dtype(dt) else {
                throw EngineError.unsupported("\(path): tensor \(name) has dtype \(dt) (supported: BF16, F16, F32)")
            }
            let shape = try shapeAny.map { v -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0, (v as? NSNumber)?.doubleValue == Double(i) else {
                    throw EngineError.invalidCheckpoint("\(path): tensor \(name): bad shape \(shapeAny)")
                }
                return i
            }
            let offs = try offsAny.map { v -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else {
                    throw EngineError.invalidCheckpoint("\(path): tensor \(name): bad data_offsets \(offsAny)")
                }
                return i
            }
            guard offs.count == 2, offs[0] <= offs[1], offs[1] <= dataLength else {
                throw EngineError.invalidCheckpoint("\(path): tensor \(name): data_offsets \(offs) outside the \(dataLength)-byte data section")
            }
            var count = 1
            for s in shape {
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o, p <= dataLength else { throw EngineError.invalidCheckpoint("\(path): tensor \(name): shape \(shape) too large") }
                count = p
            }
            guard offs[1] - offs[0] == count * type.blockBytes else {
                throw EngineError.invalidCheckpoint("\(path): tensor \(name): \(offs[1] - offs[0]) bytes for shape \(shape) of \(dt) (expected \(count * type.blockBytes))")
            }
            tensors[name] = Entry(name: name, type: type, shape: shape, offset: dataStart + offs[0], byteCount: offs[1] - offs[0])
            spans.append((offs[0], offs[1], name))
        }
        // The tensors must cover the data section exactly: no overlaps, holes or trailing bytes.
        spans.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var at = 0
        for (b, e, name) in spans {
            guard b == at else {
                throw EngineError.invalidCheckpoint("\(path): tensor \(name) starts at \(b), expected \(at) (offsets must tile the data section)")
            }
            at = e
        }
        guard at == dataLength else {
            throw EngineError.invalidCheckpoint("\(path): tensors end at \(at) but the data section has \(dataLength) bytes")
        }
        return (tensors, metadata)
    }
}
