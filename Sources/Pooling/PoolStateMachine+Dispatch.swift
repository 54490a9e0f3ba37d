// A request arrives: which socket does it get? The answer, in order:
//   1. a free socket to its origin (which one: `scheduling`, lifo or fifo);
//   2. a new connection, if the origin is below `maxSockets` and the pool below `maxTotalSockets`;
//   3. at the total limit only: close another origin's free socket (the one idle longest) and open a
//      new connection in its place;
//   4. otherwise wait in the origin's queue, first come first served.

extension PoolStateMachine {
    /// A new request for `origin` was submitted.
    ///
    /// Returns its ID and the actions that start it: `.cancelIdleTimeout` + `.execute(isReused: true)`
    /// on a free socket, or `.createConnection` (the `.execute` follows `connectionEstablished`), or
    /// `.close(_, .evictedForOtherOrigin)` + `.createConnection`, or nothing when it has to wait.
    /// After `destroyed()`, the request fails at once with `.agentDestroyed`.
    /// `method` is kept only to decide, if the request fails, whether it may be resent.
    public mutating func requestSubmitted(origin: Origin, method: String) -> (RequestID, PoolActions) {
        let id = RequestID(nextRequestNumber)
        nextRequestNumber += 1
        switch state {
        case .running:
            requests[id] = Request(id: id, originIndex: originIndex(for: origin), methodIndex: methodIndex(for: method))
            history.submitted += 1
            return (id, dispatch(id))
        case .destroyed:
            history.failed += 1
            return (id, PoolActions(.fail(id, .agentDestroyed)))
        }
    }

    /// Finds `request` a socket by the rules at the top of this file, or queues it.
    /// It does not look at the queue: callers guarantee the request is allowed to go ahead of it
    /// (a new request never finds startable waiters — see the invariants on `PoolStateMachine` — and a
    /// request dispatched again after a broken reuse keeps the slot it had).
    mutating func dispatch(_ request: RequestID) -> PoolActions {
        guard let origin = requests[request]?.originIndex else {
            preconditionFailure("Invalid state: dispatching unknown \(request)")
        }
        // 1. A free socket: reuse it.
        if let (connection, idleTimeoutMs) = takeFreeSocket(to: origin) {
            connections[connection]!.state = .executing(request, isReused: true)
            history.reused += 1
            let execute = PoolAction.execute(request, on: connection, isReused: true)
            guard idleTimeoutMs != nil else { return PoolActions(execute) }
            return PoolActions(.cancelIdleTimeout(connection), execute)
        }
        // 2. Room under both limits: open a connection.
        if isBelowOriginLimit(origin) && isBelowTotalLimit {
            return PoolActions(openConnection(for: request))
        }
        // 3. Only the total limit is in the way, and another origin has an idle socket: trade it.
        if isBelowOriginLimit(origin), let victim = longestIdleFreeSocket(excluding: origin) {
            let close = closeConnection(victim, .evictedForOtherOrigin)
            return PoolActions(close, openConnection(for: request))
        }
        // 4. Wait. Whoever frees a slot or a socket for this origin will start it (see
        //    `startWaitingRequests` and `PoolStateMachine+Release.swift`).
        enqueueWaiter(request, for: origin)
        return PoolActions()
    }

    /// Takes a free socket to `origin` off its free list — the most recently freed for `.lifo`, the
    /// least recently freed for `.fifo` — and returns it with the idle timer it had (nil if none).
    /// It does not change the connection's state; the caller puts a request on it.
    mutating func takeFreeSocket(to origin: OriginIndex) -> (ConnectionID, idleTimeoutMs: Int?)? {
        // In place: copying the list out, editing the copy and storing it back would cost an array
        // allocation per reuse. An emptied list stays, with its storage, for the next release.
        guard !perOrigin[origin].freeList.isEmpty else { return nil }
        let connection: ConnectionID
        switch configuration.scheduling {
        case .lifo: connection = perOrigin[origin].freeList.removeLast()
        case .fifo: connection = perOrigin[origin].freeList.removeFirst()
        }
        switch connections[connection]?.state {
        case .free(_, let idleTimeoutMs):
            return (connection, idleTimeoutMs)
        case .connecting, .executing, nil:
            preconditionFailure("Invalid state: \(connection) on the free list but not free")
        }
    }

    /// The free socket of any origin other than `origin` that has been idle longest (least recently
    /// freed), or nil. Only a candidate: it does not close it.
    /// (Every free socket has its own `freedAt`, so the answer does not depend on the order the
    /// origins are looked at.)
    func longestIdleFreeSocket(excluding origin: OriginIndex) -> ConnectionID? {
        var best: (connection: ConnectionID, freedAt: Int)?
        for index in perOrigin.indices where index != origin {
            guard let oldest = perOrigin[index].freeList.first else { continue }
            switch connections[oldest]?.state {
            case .free(let freedAt, _):
                if best == nil || freedAt < best!.freedAt { best = (oldest, freedAt) }
            case .connecting, .executing, nil:
                preconditionFailure("Invalid state: \(oldest) on the free list but not free")
            }
        }
        return best?.connection
    }
}
