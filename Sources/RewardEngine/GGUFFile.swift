import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors raised while opening or reading a model file. Messages name the file and the problem.
public enum EngineError: Error, CustomStringConvertible, Sendable {
    case io(String)
    case invalidFile(String)
    case unsupported(String)
    case modelNotFound(String)
    case invalidArgument(String)
    /// A Hugging Face checkpoint directory (config.json, safetensors) that is malformed.
    case invalidCheckpoint(String)

    public var description: String {
        switch self {
        case .io(let m): return "I/O error: \(m)"
        case .invalidFile(let m): return "invalid GGUF file: \(m)"
        case .unsupported(let m): return "unsupported: \(m)"
        case .modelNotFound(let m): return m
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .invalidCheckpoint(let m): return "invalid checkpoint: \(m)"
        }
    }
}

/// One GGUF metadata value (all 13 kinds of the format).
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
    case uint32(UInt32), int32(Int32), uint64(UInt64), int64(Int64)
    case float32(Float), float64(Double), bool(Bool), string(String)
    case array([GGUFValue])

    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return v <= UInt64(Int.max) ? Int(v) : nil
        case .int64(let v): return Int(v)
        case .bool(let v): return v ? 1 : 0
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return intValue.map(Double.init)
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return intValue.map { $0 != 0 }
    }

    public var arrayValue: [GGUFValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// Where one tensor lives inside the mapped file.
public struct GGUFTensorInfo: Sendable {
    public let name: String
    /// ggml order: dims[0] is the contiguous (row) length.
    public let dims: [Int]
    public let type: GGMLType
    /// Absolute byte offset in the file.
    public let fileOffset: Int
    public let byteCount: Int
    public var elementCount: Int { dims.reduce(1, *) }
}

/// A memory-mapped GGUF v2/v3 file: metadata, tensor directory and raw tensor bytes.
/// Immutable after init; the mapping lives as long as the object.
public final class GGUFFile: @unchecked Sendable {
    // Bounds that keep a hostile or corrupt header from making us allocate unbounded memory.
    static let maxStringLength = 64 << 20
    static let maxArrayLength = 1 << 26
    static let maxTensorCount = 1 << 20
    static let maxKVCount = 1 << 20
    static let maxDims = 4

    public let path: String
    public let version: Int
    public let metadata: [String: GGUFValue]
    public let tensors: [String: GGUFTensorInfo]
    public let tensorOrder: [String]
    public let alignment: Int
    public var fileSize: Int { file.size }
    /// The mapping; tensor data points into it for the object's lifetime.
    let file: MappedFile
    var base: UnsafeRawPointer { file.base }

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path, minimumSize: 24) { EngineError.invalidFile("\(path): file too small (\($0) bytes)") }
        let raw = file.base, size = file.size
        var reader = ByteReader(base: raw, size: size, path: path)
        let magic = try reader.u32()
        guard magic == 0x4655_4747 else { throw EngineError.invalidFile("\(path): bad magic (not a GGUF file)") }
        let version = Int(try reader.u32())
        guard version == 2 || version == 3 else {
            throw EngineError.unsupported("\(path): GGUF version \(version) (only v2 and v3 are supported)")
        }
        let tensorCount = try reader.u64()
        let kvCount = try reader.u64()
        guard tensorCount <= UInt64(Self.maxTensorCount) else { throw EngineError.invalidFile("\(path): tensor count \(tensorCount) too large") }
        guard kvCount <= UInt64(Self.maxKVCount) else { throw EngineError.invalidFile("\(path): metadata count \(kvCount) too large") }
        var meta: [String: GGUFValue] = [:]
        for _ in 0..<Int(kvCount) {
            let key = try reader.string()
            let type = try reader.u32()
            meta[key] = try reader.value(type: type, depth: 0)
        }
        var alignment = 32
        if let a = meta["general.alignment"] {
            guard let v = a.intValue, v > 0, v & (v - 1) == 0, v <= 1 << 20 else {
                throw EngineError.invalidFile("\(path): general.alignment must be a power of two")
            }
            alignment = v
        }
        var infos: [(String, [Int], GGMLType, UInt64)] = []
        infos.reserveCapacity(Int(tensorCount))
        for _ in 0..<Int(tensorCount) {
            let name = try reader.string()
            let nd = Int(try reader.u32())
            guard nd >= 1 && nd <= Self.maxDims else { throw EngineError.invalidFile("\(path): tensor \(name) has \(nd) dims") }
            var dims: [Int] = []
            for _ in 0..<nd {
                let d = try reader.u64()
                guard d >= 1 && d < (1 << 32) else { throw EngineError.invalidFile("\(path): tensor \(name) has dim \(d)") }
                dims.append(Int(d))
            }
            let rawType = try reader.u32()
            guard let type = GGMLType(rawValue: rawType), !type.isInternal else {
                let known = GGMLType.otherTypeNames[rawType].map { " (\($0))" } ?? ""
                throw EngineError.unsupported("\(path): tensor \(name) has ggml type \(rawType)\(known), which this engine cannot read (supported: \(GGMLType.supportedNames))")
            }
            let offset = try reader.u64()
            infos.append((name, dims, type, offset))
        }
        let dataStart = (reader.pos + alignment - 1) / alignment * alignment
        var tensors: [String: GGUFTensorInfo] = [:]
        var order: [String] = []
        for (name, dims, type, offset) in infos {
            guard offset % UInt64(alignment) == 0 else { throw EngineError.invalidFile("\(path): tensor \(name) offset not aligned") }
            var count = 1
            for d in dims {
                let (c, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, c < (1 << 40) else { throw EngineError.invalidFile("\(path): tensor \(name) too large (dims \(dims))") }
                count = c
            }
            guard dims[0] % type.blockSize == 0 else {
                throw EngineError.invalidFile("\(path): tensor \(name) row length \(dims[0]) not a multiple of block size \(type.blockSize)")
            }
            let bytes = count / type.blockSize * type.blockBytes
            guard offset < UInt64(size), UInt64(dataStart) + offset + UInt64(bytes) <= UInt64(size) else {
                throw EngineError.invalidFile("\(path): tensor \(name) (\(bytes) bytes at offset \(offset)) extends past end of file (\(size) bytes) — truncated?")
            }
            guard tensors[name] == nil else { throw EngineError.invalidFile("\(path): duplicate tensor \(name)") }
            tensors[name] = GGUFTensorInfo(name: name, dims: dims, type: type, fileOffset: dataStart + Int(offset), byteCount: bytes)
            order.append(name)
        }
        self.version = version
        self.metadata = meta
        self.tensors = tensors
        self.tensorOrder = order
        self.alignment = alignment
    }

    /// Raw bytes of a tensor (valid while this object lives).
    public func data(_ info: GGUFTensorInfo) -> UnsafeRawPointer { base + info.fileOffset }

    public func tensor(_ name: String) throws -> GGUFTensorInfo {
        guard let t = tensors[name] else { throw EngineError.invalidFile("\(path): missing tensor \(name)") }
        return t
    }

    public func int(_ key: String) -> Int? { metadata[key]?.intValue }
    public func double(_ key: String) -> Double? { metadata[key]?.doubleValue }
    public func string(_ key: String) -> String? { metadata[key]?.stringValue }
}

/// Bounds-checked little-endian cursor over the mapping.
struct ByteReader {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var pos = 0

    init(base: UnsafeRawPointer, size: Int, path: String) {
        self.base = base; self.size = size; self.path = path
    }

    mutating func need(_ n: Int) throws {
        guard n >= 0, pos + n <= size else {
            throw EngineError.invalidFile("\(path): unexpected end of file at byte \(pos) (needed \(n) more; truncated?)")
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try need(MemoryLayout<T>.size)
        let v = base.loadUnaligned(fromByteOffset: pos, as: T.self)
        pos += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func u32() throws -> UInt32 { try read(UInt32.self) }
    mutating func u64() throws -> UInt64 { try read(UInt64.self) }

    mutating func string() throws -> String {
        let n = try u64()
        guard n <= UInt64(GGUFFile.maxStringLength) else { throw EngineError.invalidFile("\(path): string length \(n) too large at byte \(pos)") }
        try need(Int(n))
        let buf = UnsafeRawBufferPointer(start: base + pos, count: Int(n))
        pos += Int(n)
        return String(decoding: buf, as: UTF8.self)
    }

    mutating func value(type: UInt32, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try read(UInt8.self))
        case 1: return .int8(try read(Int8.self))
        case 2: return .uint16(try read(UInt16.self))
        case 3: return .int16(try read(Int16.self))
        case 4: return .uint32(try read(UInt32.self))
        case 5: return .int32(try read(Int32.self))
        case 6: return .float32(Float(bitPattern: try read(UInt32.self)))
        case 7:
            let b = try read(UInt8.self)
            guard b <= 1 else { throw EngineError.invalidFile("\(path): bool value \(b) at byte \(pos - 1)") }
            return .bool(b == 1)
        case 8: return .string(try string())
        case 9:
            guard depth < 4 else { throw EngineError.invalidFile("\(path): arrays nested too deeply") }
            let elemType = try u32()
            let n = try u64()
            guard n <= UInt64(GGUFFile.maxArrayLength) else { throw EngineError.invalidFile("\(path): array length \(n) too large") }
            // Each element takes at least one byte; reject lengths the file cannot hold before allocating.
            guard n <= UInt64(size - pos) else { throw EngineError.invalidFile("\(path): array length \(n) exceeds file size (truncated?)") }
            var out: [GGUFValue] = []
            out.reserveCapacity(Int(n))
            for _ in 0..<Int(n) { out.append(try value(type: elemType, depth: depth + 1)) }
            return .array(out)
        case 10: return .uint64(try read(UInt64.self))
        case 11: return .int64(try read(Int64.self))
        case 12: return .float64(Double(bitPattern: try read(UInt64.self)))
        default: throw EngineError.invalidFile("\(path): unknown metadata value type \(type) at byte \(pos)")
        }
    }
}
