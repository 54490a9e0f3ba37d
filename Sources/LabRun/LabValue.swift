import LabScript

/// A value in a running lab script. Durations are numbers of milliseconds.
public indirect enum LabValue: CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case none
    case list([LabValue])
    case object(LabObject)

    /// The text `print` and `{expr}` show.
    public var description: String {
        switch self {
        case .number(let n): return LabValue.format(n)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .none: return "none"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): return o.display
        }
    }

    /// What kind of value this is, for error messages.
    public var typeName: String {
        switch self {
        case .number: return "a number"
        case .string: return "a string"
        case .bool: return "a boolean"
        case .none: return "none"
        case .list: return "a list"
        case .object(let o): return o.typeName
        }
    }

    /// Integral numbers print without a fraction; others with up to 3 decimals, trailing zeros dropped.
    public static func format(_ n: Double) -> String {
        if n.isNaN { return "nan" }
        if n.isInfinite { return n > 0 ? "inf" : "-inf" }
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        var text = fixed(n, 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return format(value) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = scaled / scale
        let intPart = Int64(whole.rounded(.down))
        var text = String(intPart)
        if decimals > 0 {
            var fraction = String(Int64(scaled - Double(intPart) * scale))
            while fraction.count < decimals { fraction = "0" + fraction }
            text += "." + fraction
        }
        return (value < 0 && scaled != 0 ? "-" : "") + text
    }

    /// Applies a `{expr:spec}` format: precision for numbers, then width and alignment.
    static func formatted(_ value: LabValue, _ spec: FormatSpec?) -> String {
        guard let spec else { return value.description }
        var text: String
        var isNumber = false
        if case .number(let n) = value {
            isNumber = true
            text = spec.precision.map { fixed(n, $0) } ?? format(n)
        } else {
            text = value.description
        }
        guard let width = spec.width, text.count < width else { return text }
        let pad = width - text.count
        switch spec.alignment ?? (isNumber ? .right : .left) {
        case .left: text += String(repeating: " ", count: pad)
        case .right: text = String(repeating: " ", count: pad) + text
        case .center: text = String(repeating: " ", count: pad / 2) + text + String(repeating: " ", count: pad - pad / 2)
        }
        return text
    }

    var isTruthy: Bool {
        switch self {
        case .bool(let b): return b
        case .none: return false
        case .number(let n): return n != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .object: return true
        }
    }

    func equals(_ other: LabValue) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.none, .none): return true
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        case (.object(let a), .object(let b)): return a === b
        default: return false
        }
    }
}

/// Something with named fields a script can read: the server, an agent, a request's result.
/// Fields are read when the script reads them, so `server.requests` is always the live count.
public protocol LabObject: AnyObject {
    var typeName: String { get }
    /// The field names, for "did you mean" when a script misspells one.
    var fieldNames: [String] { get }
    func field(_ name: String) -> LabValue?
    /// What `print obj` shows.
    var display: String { get }
    /// Why a field that exists can't be read right now (a mystery server's settings), or nil.
    func whyHidden(_ name: String) -> String?
}

extension LabObject {
    public func whyHidden(_ name: String) -> String? { nil }
}

/// A fixed set of fields: results, reports, events.
public final class RecordObject: LabObject {
    public let typeName: String
    private let fields: [(String, LabValue)]
    public init(_ typeName: String, _ fields: [(String, LabValue)]) {
        self.typeName = typeName
        self.fields = fields
    }
    public var fieldNames: [String] { fields.map(\.0) }
    public func field(_ name: String) -> LabValue? { fields.first { $0.0 == name }?.1 }
    public var display: String {
        "{" + fields.map { "\($0.0): \($0.1.description)" }.joined(separator: ", ") + "}"
    }
}

/// Fields computed on every read. `hidden`, if given, says why a field may not be read now.
public final class LiveObject: LabObject {
    public let typeName: String
    public let fieldNames: [String]
    private let read: (String) -> LabValue?
    private let show: () -> String
    private let hidden: ((String) -> String?)?
    public init(_ typeName: String, fields: [String], display: @escaping () -> String,
                hidden: ((String) -> String?)? = nil, read: @escaping (String) -> LabValue?) {
        self.typeName = typeName
        self.fieldNames = fields
        self.read = read
        self.show = display
        self.hidden = hidden
    }
    public func field(_ name: String) -> LabValue? { hidden?(name) == nil ? read(name) : nil }
    public var display: String { show() }
    public func whyHidden(_ name: String) -> String? { hidden?(name) }
}

/// Header fields: any name reads, case-insensitively; a missing header is `none`.
public final class HeadersObject: LabObject {
    private let fields: [(name: String, value: String)]
    public init(_ fields: [(name: String, value: String)]) { self.fields = fields }
    public var typeName: String { "headers" }
    public var fieldNames: [String] { fields.map(\.name) }
    public func field(_ name: String) -> LabValue? {
        let wanted = name.lowercased()
        let alternative = wanted.replacingUnderscores()
        if let hit = fields.first(where: { let n = $0.name.lowercased(); return n == wanted || n == alternative }) {
            return .string(hit.value)
        }
        return LabValue.none
    }
    public var display: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
}

extension String {
    /// `keep_alive` → `keep-alive`, so header names read as members: `r.headers.keep_alive`.
    func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
