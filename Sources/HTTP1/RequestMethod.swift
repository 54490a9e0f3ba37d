// The request methods the server recognises (RFC 9110 §9, and PATCH from RFC 5789).

/// RequestMethod is a method WireLab's server knows. Any other token is answered with 501
/// (RFC 9110 §9.1); whether a route *serves* a known method is the route's business (405).
///
/// Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET.
public enum RequestMethod: Sendable, CaseIterable {
    case get, head, post, put, delete, connect, options, trace, patch

    /// The method as it is spelled on the wire. A literal, so asking for it allocates nothing.
    public var name: String {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .connect: return "CONNECT"
        case .options: return "OPTIONS"
        case .trace: return "TRACE"
        case .patch: return "PATCH"
        }
    }

    /// The method named exactly `name`, or nil.
    public init?(_ name: String) {
        guard let known = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    /// The method spelled by `bytes`, or nil. Compares bytes in place: this runs for every request.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        func spells(_ word: StaticString) -> Bool {
            word.withUTF8Buffer { expected in
                guard expected.count == bytes.count else { return false }
                for index in 0..<expected.count where expected[index] != bytes[index] { return false }
                return true
            }
        }
        switch bytes.count {
        case 3 where spells("GET"): self = .get
        case 3 where spells("PUT"): self = .put
        case 4 where spells("HEAD"): self = .head
        case 4 where spells("POST"): self = .post
        case 5 where spells("PATCH"): self = .patch
        case 5 where spells("TRACE"): self = .trace
        case 6 where spells("DELETE"): self = .delete
        case 7 where spells("OPTIONS"): self = .options
        case 7 where spells("CONNECT"): self = .connect
        default: return nil
        }
    }
}
