// The client role's part of the shared machine: opening our own streams (odd ids, in order) and
// taking the server's response header blocks. Everything else (flow control, CONTINUATION, resets,
// SETTINGS, GOAWAY) is the same code the server role runs. `H2ClientConnection` drives this.
import HPACK

extension H2Connection {
    /// Opens our next stream (§5.1.1: odd, above every id used before) with a request's header list.
    /// nil when closed or when the ids are used up (a new connection is needed). `bodyless`: the
    /// response has no body whatever its content-length says (HEAD).
    mutating func openStream(_ fields: [HeaderField], endStream: Bool, bodyless: Bool) -> (StreamID, [H2Action])? {
        precondition(role == .client, "openStream is the client role's")
        guard state != .closed, shutdown == .none else { return nil }
        let id: StreamID = highestLocalStream == 0 ? 1 : highestLocalStream + 2
        guard id <= maxStreamID else { return nil }
        highestLocalStream = id
        let window = isSettingsAcknowledged ? configuration.initialWindowSize : max(configuration.initialWindowSize, 65_535)
        var stream = Stream(sendWindow: peerInitialWindowSize, receiveWindow: window)
        stream.bodyless = bodyless
        streams[id] = stream
        streamsOpened += 1
        var actions: [H2Action] = []
        appendHeaderFrames(stream: id, fields, endStream: endStream, into: &actions)
        if endStream { localEnded(id, into: &actions) }
        return (id, actions)
    }

    /// Forgets a stream the peer said it will not process (above a GOAWAY's last-stream-id):
    /// later frames on it are ignored, as after our own RST_STREAM. No frame is sent.
    mutating func abandonStream(_ id: StreamID) {
        if streams[id] != nil { closeStream(id, .resetByUs) }
    }

    /// Ends the connection from our side: GOAWAY NO_ERROR (no pushed stream was processed: last
    /// id 0), then close.
    mutating func closeFromClient(into actions: inout [H2Action]) {
        guard state != .closed else { return }
        state = .closed
        sendGoAway(lastStream: highestPeerStream, .noError, debug: "", into: &actions)
        actions.append(.close(nil))
    }

    /// A whole header block from the server, already decoded: the response head (after any 1xx
    /// informational heads, which are dropped), or its trailers. Delivered as `.request`, which in
    /// the client role is "the peer's message head" (`H2ClientConnection` calls it a response).
    mutating func receivedResponseBlock(_ block: PendingBlock, fields: [HeaderField], listError: H2Error?,
                                        into actions: inout [H2Action]) {
        let id = block.stream
        guard let stream = streams[id] else {
            if isIdle(id) {
                connectionError(.connection(.protocolError, id % 2 == 0
                    ? "HEADERS on stream \(id): a server's stream, but push is off"
                    : "HEADERS on stream \(id), which we did not open"), into: &actions)
            } else if closedStreams[id] != .resetByUs {
                connectionError(.connection(.streamClosed, "HEADERS on stream \(id), which is closed"), into: &actions)
            }
            return
        }
        if stream.hasResponseHead || stream.state == .halfClosedRemote {
            receivedTrailers(stream: id, fields: fields, endStream: block.endStream, listError: listError, into: &actions)
            return
        }
        if block.selfDependent {
            streamError(id, .protocolError, detail: "stream \(id) depends on itself", into: &actions)
            return
        }
        do throws(H2Error) {
            if let listError { throw listError }
            let head = try RequestValidation.validateResponse(fields, stream: id)
            if head.status < 200 {
                // §8.1: informational heads come before the final one and never end the stream.
                if block.endStream { throw H2Error.stream(id, .protocolError, "informational :status \(head.status) with END_STREAM") }
                return
            }
            let bodyless = stream.bodyless || head.status == 204 || head.status == 304
            if block.endStream, !bodyless, let length = head.contentLength, length != 0 {
                throw H2Error.stream(id, .protocolError, "content-length \(length) on a response with no DATA")
            }
            streams[id]!.hasResponseHead = true
            streams[id]!.contentLength = bodyless ? nil : head.contentLength
        } catch {
            streamError(id, error.code, detail: error.detail, into: &actions)
            return
        }
        actions.append(.request(stream: id, fields, endStream: block.endStream))
        if block.endStream { remoteEnded(id, into: &actions) }
    }
}
