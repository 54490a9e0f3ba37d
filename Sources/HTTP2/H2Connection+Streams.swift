// RFC 9113 §5.1, §5.1.1, §5.1.2, §6.2, §6.4, §6.10: stream ids and states, header blocks (with
// their CONTINUATIONs), requests, trailers and resets.
import HPACK

/// One stream this connection still tracks (idle and closed streams are not in the table).
struct Stream: Sendable {
    enum State: Sendable, Equatable {
        case open
        /// The client sent END_STREAM; we may still send.
        case halfClosedRemote
        /// We sent END_STREAM; the client may still send.
        case halfClosedLocal
    }
    var state: State = .open
    /// What we may still send on it (§6.9.1; may go negative after a SETTINGS change).
    var sendWindow: Int
    /// What the client may still send on it.
    var receiveWindow: Int
    /// The request's content-length, and the DATA octets (padding excluded) received so far (§8.1.1).
    var contentLength: Int?
    var dataReceived = 0
    /// Response bytes waiting for window, and what follows them.
    var pendingData: [UInt8] = []
    var pendingEndStream = false
    var pendingTrailers: [HeaderField]?
    var isLocalEndQueued = false
    /// Received bytes consumed but not yet given back with WINDOW_UPDATE.
    var consumed = 0
    /// Client role: the final response's HEADERS arrived (DATA before them is malformed; a second
    /// block is trailers).
    var hasResponseHead = false
    /// Client role: the response has no body whatever its content-length says (a HEAD request).
    var bodyless = false
}

/// How a recently closed stream ended.
enum ClosedHow: Sendable, Equatable {
    /// We sent RST_STREAM: the client may not have seen it yet, so its frames are ignored.
    case resetByUs
    case resetByPeer
    case ended
}

/// A header block being received: HEADERS without END_HEADERS, then CONTINUATIONs.
struct PendingBlock: Sendable {
    var stream: StreamID
    var bytes: [UInt8]
    var endStream: Bool
    var continuations = 0
    var selfDependent: Bool
}

extension H2Connection {
    mutating func receivedHeaders(stream: StreamID, fragment: [UInt8], endStream: Bool, endHeaders: Bool,
                                  selfDependent: Bool, into actions: inout [H2Action]) {
        let block = PendingBlock(stream: stream, bytes: fragment, endStream: endStream, selfDependent: selfDependent)
        if !endHeaders {
            if fragment.count > configuration.maxHeaderBlockSize {
                connectionError(.connection(.enhanceYourCalm, "header block of stream \(stream) over \(configuration.maxHeaderBlockSize) bytes"), into: &actions)
                return
            }
            pendingBlock = block
            return
        }
        completedBlock(block, into: &actions)
    }

    mutating func receivedContinuation(_ fragment: [UInt8], endHeaders: Bool, into actions: inout [H2Action]) {
        guard var block = pendingBlock else { return }
        block.bytes += fragment
        block.continuations += 1
        if block.bytes.count > configuration.maxHeaderBlockSize {
            connectionError(.connection(.enhanceYourCalm, "header block of stream \(block.stream) over \(configuration.maxHeaderBlockSize) bytes"), into: &actions)
            return
        }
        if block.continuations > configuration.maxContinuationFrames {
            connectionError(.connection(.enhanceYourCalm, "header block of stream \(block.stream) in over \(configuration.maxContinuationFrames) CONTINUATION frames"), into: &actions)
            return
        }
        if endHeaders {
            pendingBlock = nil
            completedBlock(block, into: &actions)
        } else {
            pendingBlock = block
        }
    }

    /// A whole header block: decoded first, whatever becomes of its stream (§4.3), then routed.
    mutating func completedBlock(_ block: PendingBlock, into actions: inout [H2Action]) {
        let id = block.stream
        var fields: [HeaderField] = []
        var listError: H2Error?
        do {
            fields = try decoder.decode(block.bytes)
        } catch {
            if error.isConnectionError {
                connectionError(.connection(.compressionError, "header block of stream \(id): \(error)"), into: &actions)
                return
            }
            listError = .stream(id, .enhanceYourCalm, "\(error)")
        }
        if role == .client {
            receivedResponseBlock(block, fields: fields, listError: listError, into: &actions)
            return
        }
        if id % 2 == 0 {
            connectionError(.connection(.protocolError, "HEADERS on stream \(id): a client's streams are odd"), into: &actions)
            return
        }
        if streams[id] != nil {
            receivedTrailers(stream: id, fields: fields, endStream: block.endStream, listError: listError, into: &actions)
            return
        }
        if id <= highestPeerStream {
            switch closedStreams[id] {
            case .resetByUs?:
                return   // §5.1: frames after our RST_STREAM are ignored
            case .resetByPeer?, .ended?:
                connectionError(.connection(.streamClosed, "HEADERS on stream \(id), which is closed"), into: &actions)
            case nil:
                connectionError(.connection(.protocolError, "HEADERS on stream \(id), not above the highest stream id \(highestPeerStream)"), into: &actions)
            }
            return
        }
        // A new stream (§5.1.1); it closes every idle stream below it.
        highestPeerStream = id
        if let last = lastGoAwayStream, id > last {
            return   // §6.8: after GOAWAY, new streams are ignored
        }
        if block.selfDependent {
            rememberClosed(id, .resetByUs)
            actions.append(.send(.rstStream(stream: id, .protocolError)))
            countReset(into: &actions)
            return
        }
        if streams.count >= configuration.maxConcurrentStreams {
            rememberClosed(id, .resetByUs)
            actions.append(.send(.rstStream(stream: id, .refusedStream)))
            return
        }
        let head: RequestHead
        do throws(H2Error) {
            if let listError { throw listError }
            head = try RequestValidation.validateRequest(fields, stream: id)
            if block.endStream, let length = head.contentLength, length != 0 {
                throw H2Error.stream(id, .protocolError, "content-length \(length) on a request with no DATA")
            }
        } catch {
            rememberClosed(id, .resetByUs)
            actions.append(.send(.rstStream(stream: id, error.code)))
            countReset(into: &actions)
            return
        }
        let window = isSettingsAcknowledged ? configuration.initialWindowSize : max(configuration.initialWindowSize, 65_535)
        var stream = Stream(sendWindow: peerInitialWindowSize, receiveWindow: window)
        stream.contentLength = head.contentLength
        if block.endStream { stream.state = .halfClosedRemote }
        streams[id] = stream
        streamsOpened += 1
        actions.append(.request(stream: id, fields, endStream: block.endStream))
    }

    /// A second header block on an open stream: trailers, which must end the stream (§8.1).
    mutating func receivedTrailers(stream id: StreamID, fields: [HeaderField], endStream: Bool, listError: H2Error?,
                                   into actions: inout [H2Action]) {
        guard let stream = streams[id], stream.state == .open || stream.state == .halfClosedLocal else {
            streamError(id, .streamClosed, into: &actions)
            return
        }
        do throws(H2Error) {
            if let listError { throw listError }
            guard endStream else { throw H2Error.stream(id, .protocolError, "trailers without END_STREAM") }
            try RequestValidation.validateTrailers(fields, stream: id)
            if let length = stream.contentLength, length != stream.dataReceived {
                throw H2Error.stream(id, .protocolError, "content-length \(length), but \(stream.dataReceived) bytes of DATA")
            }
        } catch {
            streamError(id, error.code, detail: error.detail, into: &actions)
            return
        }
        actions.append(.trailers(stream: id, fields))
        remoteEnded(id, into: &actions)
    }

    /// The client ended its side of the stream.
    mutating func remoteEnded(_ id: StreamID, into actions: inout [H2Action]) {
        guard let stream = streams[id] else { return }
        if stream.state == .halfClosedLocal {
            closeStream(id, .ended)
            actions.append(.streamClosed(stream: id))
            closeIfDrained(into: &actions)
        } else {
            streams[id]!.state = .halfClosedRemote
        }
    }

    /// We ended our side of the stream.
    mutating func localEnded(_ id: StreamID, into actions: inout [H2Action]) {
        guard let stream = streams[id] else { return }
        if stream.state == .halfClosedRemote {
            closeStream(id, .ended)
            actions.append(.streamClosed(stream: id))
            closeIfDrained(into: &actions)
        } else {
            streams[id]!.state = .halfClosedLocal
        }
    }

    mutating func receivedReset(stream id: StreamID, code: ErrorCode, into actions: inout [H2Action]) {
        if streams[id] != nil {
            closeStream(id, .resetByPeer)
            actions.append(.streamReset(stream: id, code, byPeer: true))
            countReset(into: &actions)
            closeIfDrained(into: &actions)
        } else if isIdle(id) {
            connectionError(.connection(.protocolError, "RST_STREAM on stream \(id), which is idle"), into: &actions)
        }
        // On a closed stream: ignored.
    }

    /// Whether `id` is idle (§5.1): above every stream its opener used. A client's even ids are
    /// all idle: it refuses server push.
    func isIdle(_ id: StreamID) -> Bool {
        switch role {
        case .server: id > highestPeerStream
        case .client: id % 2 == 0 || id > highestLocalStream
        }
    }

    /// A stream error (§5.4.2): RST_STREAM with the code; the connection goes on. The client role
    /// keeps `detail` for the IO layer (`localResetDetails`).
    mutating func streamError(_ id: StreamID, _ code: ErrorCode, detail: String? = nil, into actions: inout [H2Action]) {
        if role == .client, let detail { localResetDetails[id] = detail }
        if isIdle(id) && streams[id] == nil {
            // A stream error on an idle stream (e.g. a bad PRIORITY): reset it, it is closed now.
            rememberClosed(id, .resetByUs)
            actions.append(.send(.rstStream(stream: id, code)))
            return
        }
        let wasLive = streams[id] != nil
        closeStream(id, .resetByUs)
        actions.append(.send(.rstStream(stream: id, code)))
        if wasLive { actions.append(.streamReset(stream: id, code, byPeer: false)) }
        countReset(into: &actions)
        closeIfDrained(into: &actions)
    }

    mutating func closeStream(_ id: StreamID, _ how: ClosedHow) {
        streams[id] = nil
        rememberClosed(id, how)
    }

    mutating func rememberClosed(_ id: StreamID, _ how: ClosedHow) {
        if closedStreams.updateValue(how, forKey: id) == nil { closedOrder.append(id) }
        if closedOrder.count > H2Connection.closedMemory {
            closedStreams[closedOrder.removeFirst()] = nil
        }
    }

    // MARK: the response side

    /// Sends a response's header list (or its trailers, after DATA) on `stream`. Ignored when the
    /// stream is gone (reset) or already ended on our side.
    public mutating func sendHeaders(stream id: StreamID, _ fields: [HeaderField], endStream: Bool) -> [H2Action] {
        guard state != .closed, let stream = streams[id], stream.state != .halfClosedLocal, !stream.isLocalEndQueued else { return [] }
        var actions: [H2Action] = []
        if !stream.pendingData.isEmpty {
            // Trailers wait behind the body.
            streams[id]!.pendingTrailers = fields
            streams[id]!.isLocalEndQueued = true
            return actions
        }
        appendHeaderFrames(stream: id, fields, endStream: endStream, into: &actions)
        if endStream { localEnded(id, into: &actions) }
        return actions
    }

    /// The block in HEADERS and CONTINUATIONs of at most the peer's SETTINGS_MAX_FRAME_SIZE.
    mutating func appendHeaderFrames(stream id: StreamID, _ fields: [HeaderField], endStream: Bool, into actions: inout [H2Action]) {
        let block = encoder.encode(fields)
        if block.count <= peerMaxFrameSize {
            actions.append(.send(.headers(stream: id, fragment: block, endStream: endStream, endHeaders: true)))
            return
        }
        var chunks: [[UInt8]] = []
        var at = 0
        repeat {
            let end = min(at + peerMaxFrameSize, block.count)
            chunks.append(Array(block[at..<end]))
            at = end
        } while at < block.count
        for (i, chunk) in chunks.enumerated() {
            let last = i == chunks.count - 1
            actions.append(.send(i == 0
                ? .headers(stream: id, fragment: chunk, endStream: endStream, endHeaders: last)
                : .continuation(stream: id, fragment: chunk, endHeaders: last)))
        }
    }

    /// Resets a stream from our side (the application gave up on it): RST_STREAM, no `.streamReset`.
    public mutating func resetStream(_ id: StreamID, code: ErrorCode = .cancel) -> [H2Action] {
        guard state != .closed, streams[id] != nil else { return [] }
        var actions: [H2Action] = [.send(.rstStream(stream: id, code))]
        closeStream(id, .resetByUs)
        closeIfDrained(into: &actions)
        return actions
    }
}
