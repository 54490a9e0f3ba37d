// RFC 9113 §5.2, §6.1, §6.9: flow control. Every DATA frame counts against the connection window,
// padding included and whatever its stream's state; we replenish what we receive with WINDOW_UPDATE
// once half a window is consumed (at once, or as the application says with `dataConsumed`). What we send waits for the peer's windows.

extension H2Connection {
    mutating func receivedData(stream id: StreamID, payload: [UInt8], endStream: Bool, padLength: Int?,
                               into actions: inout [H2Action]) {
        let length = payload.count + (padLength.map { $0 + 1 } ?? 0)
        if length > connectionReceiveWindow {
            connectionError(.connection(.flowControlError, "DATA of \(length) bytes on stream \(id), above the connection window of \(connectionReceiveWindow)"), into: &actions)
            return
        }
        connectionReceiveWindow -= length
        // What nobody will consume is credited back at once: padding always; the whole frame when
        // it is not delivered. Delivered bytes are credited now, or by `dataConsumed` when the
        // application paces the client.
        let deferred = configuration.automaticWindowUpdates ? 0 : payload.count
        var delivered = false
        defer {
            connectionConsumed += delivered ? length - deferred : length
            replenishConnection(into: &actions)
        }
        guard var stream = streams[id] else {
            if isIdle(id) {
                connectionError(.connection(.protocolError, "DATA on stream \(id), which is idle"), into: &actions)
            } else if closedStreams[id] != .resetByUs {
                streamError(id, .streamClosed, into: &actions)
            }
            return
        }
        guard stream.state == .open || stream.state == .halfClosedLocal else {
            streamError(id, .streamClosed, into: &actions)
            return
        }
        if length > stream.receiveWindow {
            streamError(id, .flowControlError, into: &actions)
            return
        }
        if role == .client && !stream.hasResponseHead {
            // §8.1: a response starts with its HEADERS.
            streamError(id, .protocolError, detail: "DATA on stream \(id) before the response's HEADERS", into: &actions)
            return
        }
        stream.receiveWindow -= length
        stream.dataReceived += payload.count
        if let limit = stream.contentLength, stream.dataReceived > limit || (endStream && stream.dataReceived != limit) {
            streamError(id, .protocolError, detail: "content-length \(limit), but \(stream.dataReceived) bytes of DATA\(endStream ? " in all" : " so far")", into: &actions)
            return
        }
        delivered = true
        stream.consumed += length - deferred
        streams[id] = stream
        if !endStream { replenish(id, into: &actions) }
        actions.append(.data(stream: id, payload, endStream: endStream))
        if endStream { remoteEnded(id, into: &actions) }
    }

    /// The application took `count` bytes of `stream`'s body (only with `automaticWindowUpdates`
    /// off): the client may send that much more, on the stream and on the connection.
    public mutating func dataConsumed(stream id: StreamID, count: Int) -> [H2Action] {
        guard state != .closed, count > 0 else { return [] }
        var actions: [H2Action] = []
        // Never more than was received: a window given back twice would pass 2^31-1.
        if let stream = streams[id], stream.state == .open || stream.state == .halfClosedLocal {
            let target = isSettingsAcknowledged ? configuration.initialWindowSize : max(configuration.initialWindowSize, 65_535)
            streams[id]!.consumed = min(stream.consumed + count, max(target - stream.receiveWindow, 0))
            replenish(id, into: &actions)
        }
        connectionConsumed = min(connectionConsumed + count, configuration.connectionWindowSize - connectionReceiveWindow)
        replenishConnection(into: &actions)
        return actions
    }

    /// The stream's receive window is refilled once half of it has been consumed.
    mutating func replenish(_ id: StreamID, into actions: inout [H2Action]) {
        guard let stream = streams[id] else { return }
        let target = isSettingsAcknowledged ? configuration.initialWindowSize : max(configuration.initialWindowSize, 65_535)
        if stream.consumed > 0 && stream.consumed >= max(target / 2, 1) {
            actions.append(.send(.windowUpdate(stream: id, increment: UInt32(stream.consumed))))
            streams[id]!.receiveWindow += stream.consumed
            streams[id]!.consumed = 0
        }
    }

    mutating func replenishConnection(into actions: inout [H2Action]) {
        guard state != .closed else { return }
        if connectionConsumed > 0 && connectionConsumed >= configuration.connectionWindowSize / 2 {
            actions.append(.send(.windowUpdate(stream: 0, increment: UInt32(connectionConsumed))))
            connectionReceiveWindow += connectionConsumed
            connectionConsumed = 0
        }
    }

    mutating func receivedWindowUpdate(stream id: StreamID, increment: Int, into actions: inout [H2Action]) {
        if id == 0 {
            // Checked before it is applied, so the window stays within bounds even after the error.
            if connectionSendWindow + increment > maxWindowSize {
                connectionError(.connection(.flowControlError, "WINDOW_UPDATE of \(increment) takes the connection window to \(connectionSendWindow + increment), above 2^31-1"), into: &actions)
                return
            }
            connectionSendWindow += increment
            flushAll(into: &actions)
            return
        }
        guard streams[id] != nil else {
            if isIdle(id) {
                connectionError(.connection(.protocolError, "WINDOW_UPDATE on stream \(id), which is idle"), into: &actions)
            }
            return   // closed: ignored
        }
        if streams[id]!.sendWindow + increment > maxWindowSize {
            streamError(id, .flowControlError, into: &actions)
            return
        }
        streams[id]!.sendWindow += increment
        flush(id, into: &actions)
    }

    /// Sends response body bytes on `stream`, as far as the windows allow; the rest waits for
    /// WINDOW_UPDATE. `endStream` ends our side once they are all out.
    public mutating func sendData(stream id: StreamID, _ bytes: [UInt8], endStream: Bool) -> [H2Action] {
        guard state != .closed, let index = streams.index(forKey: id) else { return [] }
        // In place through the index: one hash lookup, not one per field.
        let stream = streams.values[index]
        guard stream.state != .halfClosedLocal, !stream.isLocalEndQueued else { return [] }
        if stream.pendingData.isEmpty {
            streams.values[index].pendingData = bytes   // shared, not copied (a response body is often a constant)
        } else {
            streams.values[index].pendingData += bytes
        }
        if endStream {
            streams.values[index].pendingEndStream = true
            streams.values[index].isLocalEndQueued = true
        }
        var actions: [H2Action] = []
        actions.reserveCapacity(2)
        flush(id, into: &actions)
        return actions
    }

    /// Bytes waiting on `stream` for the peer's window (for tests and stats).
    public func pendingSendCount(stream id: StreamID) -> Int { streams[id]?.pendingData.count ?? 0 }
    /// The stream's send window (nil when the stream is not open).
    public func sendWindow(stream id: StreamID) -> Int? { streams[id]?.sendWindow }
    /// What the client may still send on the stream (nil when the stream is not open).
    public func receiveWindow(stream id: StreamID) -> Int? { streams[id]?.receiveWindow }

    mutating func flushAll(into actions: inout [H2Action]) {
        for id in streams.keys.sorted() where state != .closed { flush(id, into: &actions) }
    }

    mutating func flush(_ id: StreamID, into actions: inout [H2Action]) {
        guard var stream = streams[id] else { return }
        while !stream.pendingData.isEmpty {
            let room = min(connectionSendWindow, stream.sendWindow, peerMaxFrameSize)
            guard room > 0 else { break }
            let count = min(room, stream.pendingData.count)
            let chunk: [UInt8]
            if count == stream.pendingData.count {
                chunk = stream.pendingData   // all of it: moved out, no copy
                stream.pendingData = []
            } else {
                chunk = Array(stream.pendingData.prefix(count))
                stream.pendingData.removeFirst(count)
            }
            stream.sendWindow -= count
            connectionSendWindow -= count
            let ends = stream.pendingData.isEmpty && stream.pendingEndStream && stream.pendingTrailers == nil
            actions.append(.send(.data(stream: id, payload: chunk, endStream: ends)))
            if ends {
                streams[id] = stream
                localEnded(id, into: &actions)
                return
            }
        }
        if stream.pendingData.isEmpty {
            if let trailers = stream.pendingTrailers {
                stream.pendingTrailers = nil
                streams[id] = stream
                appendHeaderFrames(stream: id, trailers, endStream: true, into: &actions)
                localEnded(id, into: &actions)
                return
            }
            if stream.pendingEndStream && stream.state != .halfClosedLocal {
                // An empty body or `sendData([], endStream: true)`.
                stream.pendingEndStream = false
                streams[id] = stream
                actions.append(.send(.data(stream: id, payload: [], endStream: true)))
                localEnded(id, into: &actions)
                return
            }
        }
        streams[id] = stream
    }
}
