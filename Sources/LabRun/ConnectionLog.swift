import Wire

/// ConnectionLog: what the waterfall needs to draw a raw socket's lane — what the embedded server
/// saw of each of its connections (where it came from, each request and response, the close) and
/// the raw sockets a script opened (when, and the local port each connected from) — and the
/// matching of the two. Pure bookkeeping: the lab feeds it events with the loop's clock.
struct ConnectionLog {
    /// A server connection: the server's generation (one more at each restart, whose connection
    /// ids start again at 1) and its id.
    struct ServerSideKey: Hashable {
        var generation: Int
        var id: Int
    }

    struct ServerSide {
        var peerPort: UInt16?
        var closedNanos: Int64?
        var exchanges: [SocketRecord.Exchange] = []
    }

    private var serverSides: [ServerSideKey: ServerSide] = [:]
    private var serverGeneration = 0
    /// Every port the embedded server listened on (a restart may bind a new one).
    private var embeddedPorts: Set<UInt16> = []
    /// The raw sockets the script opened, in order, with the local port each connected from.
    private var openedSockets: [(record: SocketRecord, socket: ObjectIdentifier, port: UInt16?)] = []

    /// The embedded server (re)started, listening on `port`.
    mutating func serverStarted(port: UInt16) {
        serverGeneration += 1
        embeddedPorts.insert(port)
    }

    func isEmbeddedServer(port: UInt16) -> Bool { embeddedPorts.contains(port) }

    /// One event of the embedded server at `now`; `peerPort` tells where an opened connection came from.
    mutating func record(_ event: ServerEvent, now: Int64, peerPort: (Int) -> UInt16?) {
        switch event {
        case .opened(let id):
            serverSides[ServerSideKey(generation: serverGeneration, id: id)] = ServerSide(peerPort: peerPort(id))
        case .request(let id, _, _):
            serverSides[ServerSideKey(generation: serverGeneration, id: id)]?.exchanges.append(SocketRecord.Exchange(requestNanos: now))
        case .response(let id, _, _, _):
            let key = ServerSideKey(generation: serverGeneration, id: id)
            if let last = serverSides[key]?.exchanges.indices.last { serverSides[key]?.exchanges[last].responseNanos = now }
        case .idle, .refused, .streamReset:
            break
        case .closed(let id, _, _):
            serverSides[ServerSideKey(generation: serverGeneration, id: id)]?.closedNanos = now
        }
    }

    /// `open NAME` made `socket` at `now`: a new socket of that name (`NAME(2)` when the name was
    /// used before).
    mutating func socketOpened(_ name: String, _ socket: RawConnection, now: Int64) {
        let earlier = openedSockets.count { $0.record.name == name || $0.record.name.hasPrefix(name + "(") }
        let label = earlier == 0 ? name : "\(name)(\(earlier + 1))"
        openedSockets.append((SocketRecord(name: label, openedNanos: now), ObjectIdentifier(socket), nil))
    }

    /// `socket` finished its connect: when, and the local port the server sees it come from.
    mutating func socketConnected(_ socket: RawConnection, now: Int64) {
        guard let index = openedSockets.lastIndex(where: { $0.socket == ObjectIdentifier(socket) }) else { return }
        openedSockets[index].record.connectedNanos = socket.connectedAt ?? now
        openedSockets[index].port = try? Platform.localPort(socket.fd)
    }

    /// The raw sockets with what the server saw of them: each is matched with the first server
    /// connection not yet claimed that came from its local port. A socket to another server (a
    /// proxy, `server NAME`) is not matched (`isMatched` false): its requests are not known.
    func socketRecords() -> [SocketRecord] {
        var claimed = Set<ServerSideKey>()
        let keys = serverSides.keys.sorted { ($0.generation, $0.id) < ($1.generation, $1.id) }
        return openedSockets.map { entry in
            var record = entry.record
            guard let port = entry.port,
                  let key = keys.first(where: { !claimed.contains($0) && serverSides[$0]?.peerPort == port }),
                  let side = serverSides[key] else {
                record.isMatched = false
                return record
            }
            claimed.insert(key)
            record.exchanges = side.exchanges
            record.closedNanos = side.closedNanos
            return record
        }
    }
}
