// The server's Keep-Alive response header: "Keep-Alive: timeout=5, max=100".
// It is not part of RFC 9110/9112; it comes from HTTP/1.0 practice (RFC 2068 §19.7.1.1 describes
// it) and is still sent by Node, Apache and nginx. It is advice, never a promise: the server may
// close sooner, which is why the agent treats it as an upper bound.

/// What a server advertised about how long and how often it will keep a connection.
public struct KeepAliveHint: Hashable, Sendable, CustomStringConvertible {
    /// `timeout=N`: the server closes a connection that has been idle for about N seconds.
    public var timeoutSeconds: Int?
    /// `max=N`: how many requests the server will answer on this connection. Some servers (Apache)
    /// send the number *remaining* instead; comparing it with the count served so far then closes a
    /// little early, never late.
    public var max: Int?

    public init(timeoutSeconds: Int? = nil, max: Int? = nil) {
        self.timeoutSeconds = timeoutSeconds
        self.max = max
    }

    /// Parses a header value such as `timeout=5, max=100`. Parameter names are matched without
    /// regard to case, unknown parameters and malformed numbers are skipped, and a value that is too
    /// large to count with saturates at `Int.max`. Returns nil when neither parameter is usable.
    /// It does not combine several header lines: pass the first (or the joined) value.
    public init?(headerValue: String) {
        var timeoutSeconds: Int?
        var max: Int?
        for parameter in headerValue.split(separator: ",") {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingSpaces().lowercased()
            guard let value = Self.number(parts[1].trimmingSpaces()) else { continue }
            switch name {
            case "timeout": timeoutSeconds = timeoutSeconds ?? value
            case "max": max = max ?? value
            default: continue
            }
        }
        guard timeoutSeconds != nil || max != nil else { return nil }
        self.init(timeoutSeconds: timeoutSeconds, max: max)
    }

    public var description: String {
        var parts: [String] = []
        if let timeoutSeconds { parts.append("timeout=\(timeoutSeconds)") }
        if let max { parts.append("max=\(max)") }
        return parts.joined(separator: ", ")
    }

    /// A run of ASCII digits (optionally quoted) as a non-negative Int, saturating; nil otherwise.
    private static func number(_ text: Substring) -> Int? {
        var digits = text
        if digits.count >= 2, digits.first == "\"", digits.last == "\"" {
            digits = digits.dropFirst().dropLast()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        var isSaturated = false
        for character in digits {
            guard character.isASCII, let digit = character.wholeNumberValue else { return nil }
            guard !isSaturated else { continue }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 {
                isSaturated = true
                value = Int.max
            } else {
                value = sum
            }
        }
        return value
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
