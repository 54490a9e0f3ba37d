// The syntax tree as compact text, without locations: what tests compare and what a
// `--dump-syntax` flag would show. Expressions print as S-expressions, so `1 + 2 * 3` is
// `(+ 1 (* 2 3))`; durations print in milliseconds (`5s` is `5000ms`).

enum SyntaxPrinter {
    /// `5`, `1.5`: integral values without a fraction.
    static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }

    static func expression(_ expression: Expression) -> String {
        switch expression.kind {
        case .number(let value): format(value)
        case .duration(let milliseconds): "\(format(milliseconds))ms"
        case .string(let string): self.string(string)
        case .bool(let value): String(value)
        case .noneLiteral: "none"
        case .variable(let name): name
        case .member(let base, let name): "(. \(self.expression(base)) \(name))"
        case .index(let base, let index): "(index \(self.expression(base)) \(self.expression(index)))"
        case .call(let name, let arguments):
            "(call \(([name] + arguments.map(self.expression)).joined(separator: " ")))"
        case .unary(let op, let operand): "(\(op.rawValue) \(self.expression(operand)))"
        case .binary(let op, let left, let right):
            "(\(op.rawValue) \(self.expression(left)) \(self.expression(right)))"
        }
    }

    /// A string as it could be written, interpolations shown as S-expressions: `"took {(. r ms):.1}ms"`.
    static func string(_ string: InterpolatedString) -> String {
        var text = "\""
        for part in string.parts {
            switch part {
            case .text(let piece):
                // Scalars, not Characters: "\r\n" is a single Character.
                for character in piece.unicodeScalars {
                    switch character {
                    case "\n": text += "\\n"
                    case "\r": text += "\\r"
                    case "\t": text += "\\t"
                    case "\\", "\"", "{", "}": text += "\\\(character)"
                    default: text.unicodeScalars.append(character)
                    }
                }
            case .interpolation(let expression, let format):
                text += "{\(self.expression(expression))\(format.map { ":\($0)" } ?? "")}"
            }
        }
        return text + "\""
    }

    static func statement(_ statement: Statement) -> String {
        switch statement.kind {
        case .configureServer(let settings): list("server", settings: settings)
        case .shutdownServer(let settings, let name): bound(name, list("server-shutdown", settings: settings))
        case .namedServer(let name, let settings): list("named-server", name, settings: settings)
        case .restartServer: "(server-restart)"
        case .resetServer: "(reset-server)"
        case .resetAgent(let name): "(reset-agent \(name))"
        case .agent(let name, let settings): list("agent", name, settings: settings)
        case .network(let settings): list("network", settings: settings)
        case .networkOff: "(network-off)"
        case .limit(let duration): "(limit \(expression(duration)))"
        case .proxy(let name, let settings): list("proxy", name, settings: settings)
        case .request(let request, let name):
            bound(name, list(
                ["request", request.agent, request.method, expression(request.target)] + request.headers.map(expression),
                settings: request.settings))
        case .open(let socket, let settings): list("open", socket, settings: settings)
        case .send(let socket, let data): "(send \(socket) \(expression(data)))"
        case .receive(let receive, let name):
            bound(name, "(" + (["recv", receive.socket] + receiveOptions(receive)).joined(separator: " ") + ")")
        case .close(let socket): "(close \(socket))"
        case .abort(let socket): "(abort \(socket))"
        case .let(let name, let value): "(let \(name) \(expression(value)))"
        case .assign(let name, let value): "(set \(name) \(expression(value)))"
        case .print(let value): value.map { "(print \(expression($0)))" } ?? "(print)"
        case .expect(let condition, let message):
            "(expect \(expression(condition))\(message.map { " " + expression($0) } ?? ""))"
        case .block(let body): block(body)
        case .if(let branches, let elseBody):
            "(if " + branches.enumerated().map { index, branch in
                (index == 0 ? "" : "elif ") + "\(expression(branch.condition)) \(block(branch.body))"
            }.joined(separator: " ") + (elseBody.map { " else \(block($0))" } ?? "") + ")"
        case .repeat(let count, let index, let body):
            "(repeat \(expression(count))\(index.map { " as \($0)" } ?? "") \(block(body)))"
        case .parallel(let count, let index, let body):
            "(parallel\(count.map { " " + expression($0) } ?? "")\(index.map { " as \($0)" } ?? "") \(block(body)))"
        case .sleep(let duration): "(sleep \(expression(duration)))"
        case .measure(let name, let body): "(measure \(name) \(block(body)))"
        case .on(let event, let body): "(on \(event) \(block(body)))"
        }
    }

    static func block(_ statements: [Statement]) -> String {
        statements.isEmpty ? "{ }" : "{ " + statements.map(statement).joined(separator: " ") + " }"
    }

    private static func list(_ head: String, _ rest: String..., settings: [Setting]) -> String {
        list([head] + rest, settings: settings)
    }

    private static func list(_ words: [String], settings: [Setting]) -> String {
        "(" + (words + settings.map { "\($0.key)=\(expression($0.value))" }).joined(separator: " ") + ")"
    }

    private static func bound(_ binding: Binding?, _ text: String) -> String {
        switch binding {
        case .let(let name)?: "(let \(name) \(text))"
        case .assign(let name)?: "(set \(name) \(text))"
        case nil: text
        }
    }

    private static func receiveOptions(_ receive: Receive) -> [String] {
        var options: [String] = []
        switch receive.stop {
        case .firstRead: break
        case .delimiter(let text): options.append("until=\(expression(text))")
        case .byteCount(let count): options.append("bytes=\(expression(count))")
        case .close: options.append("until=close")
        }
        if let timeout = receive.timeout { options.append("timeout=\(expression(timeout))") }
        return options
    }
}

extension Expression: CustomStringConvertible {
    /// The expression as an S-expression, without locations: `(+ 1 (* 2 3))`.
    public var description: String { SyntaxPrinter.expression(self) }
}

extension Statement: CustomStringConvertible {
    /// The statement as an S-expression, without locations: `(repeat 5 as i { (print i) })`.
    public var description: String { SyntaxPrinter.statement(self) }
}

extension Script: CustomStringConvertible {
    /// One statement per line, as S-expressions.
    public var description: String { statements.map(\.description).joined(separator: "\n") }
}
