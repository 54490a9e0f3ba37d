// The words with a fixed meaning. None of them is a token kind: `server` is also a value
// (`server.requests`) and `close` a field name (`server.closed.close`), so the parser recognises
// them by position. None of them can be bound as a name.

/// The words that start a statement.
enum StatementKeyword: String, CaseIterable {
    case server, reset, agent, network, limit, proxy
    case `let`, print, expect
    case `repeat`, parallel, sleep, measure, on, `if`, `else`
    case open, send, recv, close, abort

    /// The statements an `on` hook may contain (besides assignments): they run at once, so a
    /// hook never blocks the event loop it is called from.
    var isAllowedInHook: Bool {
        switch self {
        case .let, .print, .expect, .if: true
        case .server, .reset, .agent, .network, .limit, .proxy, .repeat, .parallel, .sleep,
             .measure, .on, .else, .open, .send, .recv, .close, .abort: false
        }
    }
}

/// Words that belong to expressions.
enum ExpressionKeyword: String, CaseIterable {
    case and, or, not, `true`, `false`, none
}

/// Whether `word` is a keyword of either kind, and so cannot name a variable, agent or socket.
func isReservedWord(_ word: String) -> Bool {
    StatementKeyword(rawValue: word) != nil || ExpressionKeyword(rawValue: word) != nil
}

/// Whether `word` looks like an HTTP method: capital letters only (`GET`, `OPTIONS`, `BREW`).
func isMethodWord(_ word: String) -> Bool {
    !word.isEmpty && word.allSatisfy { $0.isASCII && $0.isUppercase }
}

/// The methods a learner is likely to type in lower case by mistake.
let commonHTTPMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]
