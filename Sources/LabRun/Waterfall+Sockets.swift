/// SocketRecord: one raw socket a script opened (`open NAME`), as the waterfall draws it: when it
/// was opened and connected, each request the server read on it and when the response was written,
/// and when the server's side of it closed. A socket's requests are the server's count: the lab
/// matches the socket's local port with the port the server saw the connection come from.
public struct SocketRecord: Sendable, Equatable {
    /// One request the server read on the socket's connection, and when it answered (nil: never).
    public struct Exchange: Sendable, Equatable {
        public var requestNanos: Int64
        public var responseNanos: Int64?

        public init(requestNanos: Int64, responseNanos: Int64? = nil) {
            self.requestNanos = requestNanos
            self.responseNanos = responseNanos
        }
    }

    /// The socket's name, with `(2)`, `(3)` for a name opened again.
    public var name: String
    public var openedNanos: Int64
    /// When the connect completed; nil when it never did.
    public var connectedNanos: Int64?
    /// When the server's side closed (or the peer's FIN arrived); nil: still open when the run ended.
    public var closedNanos: Int64?
    public var exchanges: [Exchange]
    /// True when the server it connected to was the lab's embedded server, so `exchanges` is known.
    public var isMatched: Bool

    public init(name: String, openedNanos: Int64, connectedNanos: Int64? = nil, closedNanos: Int64? = nil,
                exchanges: [Exchange] = [], isMatched: Bool = true) {
        self.name = name
        self.openedNanos = openedNanos
        self.connectedNanos = connectedNanos
        self.closedNanos = closedNanos
        self.exchanges = exchanges
        self.isMatched = isMatched
    }
}

extension Waterfall {
    /// The raw sockets as lanes, one each (a socket that never connected is left out: the server
    /// never saw it). A request spans from when the server read it to when it wrote the response;
    /// the rest of the socket's life, open with nothing asked on it, is drawn as `Glyph.open`.
    static func lanes(of sockets: [SocketRecord], startedNanos: Int64) -> [Lane] {
        sockets.compactMap { socket in
            guard let connected = socket.connectedNanos else { return nil }
            func ms(_ nanos: Int64) -> Double { Double(nanos - startedNanos) / 1e6 }
            var lane = Lane(agent: "socket \(socket.name)", connection: 0)
            lane.isSocket = true
            lane.life = (from: ms(connected), to: socket.closedNanos.map(ms))
            lane.connecting = (from: ms(socket.openedNanos), to: ms(connected))
            lane.spans = socket.exchanges.map { exchange in
                let start = ms(exchange.requestNanos)
                let end = exchange.responseNanos.map(ms) ?? socket.closedNanos.map(ms) ?? start
                return Span(submitted: start, assigned: start, connected: start, done: max(start, end), isFailed: false)
            }
            return lane
        }
    }
}
