import Foundation

/// A JSON value that keeps object keys in input order, so output lines round-trip
/// the fields a user gave us.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var doubleValue: Double? {
        switch self {
        case .number(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
    public var intValue: Int? {
        if case .number(let d) = self, d.rounded() == d, abs(d) < 9.0e15 { return Int(d) }
        return nil
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// What was found, for error messages: the type, with the value when it is a short
    /// scalar ("number 42", "boolean true", "null", "array").
    public var foundDescription: String {
        switch self {
        case .bool, .number: return "\(typeName) \(jsonString)"
        case .string(let s) where s.utf8.count <= 40: return "string \(jsonString)"
        default: return typeName
        }
    }

    /// Name of the JSON type, for error messages ("expected string, got number").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }
}

/// Ordered JSON object. Lookups are linear: records have a handful of keys.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var members: [JSONMember]

    public init(_ members: [JSONMember] = []) { self.members = members }
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.members = pairs.map { JSONMember($0.key, $0.value) }
    }

    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }
    public func makeIterator() -> IndexingIterator<[JSONMember]> { members.makeIterator() }

    public subscript(key: String) -> JSONValue? {
        get {
            for m in members where m.key == key { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let v = newValue { members[i].value = v } else { members.remove(at: i) }
            } else if let v = newValue {
                members.append(JSONMember(key, v))
            }
        }
    }

    public func contains(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// `self[key]` for a plain key (`PlainKey`: the keys the record decoder reads), without a String
    /// comparison for the members whose key cannot equal it.
    @inline(__always)
    public func value(recordKey key: String) -> JSONValue? {
        for m in members where PlainKey.equals(m.key, plain: key) { return m.value }
        return nil
    }

    /// `contains(key)` for a key as `value(recordKey:)` takes.
    @inline(__always)
    public func contains(recordKey key: String) -> Bool { value(recordKey: key) != nil }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONMember($0.0, $0.1) }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// Compact JSON text.
    public var jsonString: String {
        var w = JSONWriter()
        w.write(self)
        return w.string
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { JSONMember($0.0, $0.1) })
    }
}
