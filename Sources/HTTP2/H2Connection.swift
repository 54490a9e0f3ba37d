// RFC 9113 §3.4, §5, §6, §8: one HTTP/2 connection, server role, as a pure state machine. No
// sockets, no clocks: the IO layer reports what happened (bytes received, the application's
// response), gets back `H2Action`s, and carries them out in order.
//
//   H2Connection.swift          state, the preface, SETTINGS, PING, GOAWAY, errors, shutdown
//   H2Connection+Streams.swift  stream ids and states (§5.1), header blocks, requests, resets
//   H2Connection+Flow.swift     flow control both ways (§5.2, §6.9), DATA in and out
//   RequestValidation.swift     malformed requests (§8.1.1, §8.2, §8.3)
//
// Both roles share all of this. The client role (`H2ClientConnection` drives it) differs only
// where RFC 9113 makes the roles differ: who sends the preface, whose stream ids are odd, which
// header lists are valid (responses, not requests), and PUSH_PROMISE (we send ENABLE_PUSH 0, so
// one is PROTOCOL_ERROR).
import HPACK

public struct H2Connection: Sendable {
    /// Which end of the connection this machine is (§3.4, §5.1.1).
    public enum Role: Sendable, Equatable { case server, client }

    /// The 24 octets a client starts with (§3.4).
    public static let clientPreface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    /// The PING payload of the graceful shutdown's round trip.
    static let shutdownPingPayload: UInt64 = 0x5749_5245_4c41_4221

    enum State: Sendable, Equatable {
        /// Reading the client preface; `matched` octets of it so far.
        case awaitingPreface(matched: Int)
        /// The preface is in; the first frame must be the client's SETTINGS (§3.4).
        case awaitingSettings
        case open
        /// A connection error was found, or the shutdown finished: every event is ignored.
        case closed
    }

    enum Shutdown: Sendable, Equatable {
        case none
        /// GOAWAY 2^31-1 and a PING are out; the PING's ACK sends the real GOAWAY.
        case announced
        /// The GOAWAY with the real last stream id is out; the connection closes when no stream is left.
        case draining
    }

    public let configuration: H2Configuration
    public let role: Role
    var state: State = .awaitingPreface(matched: 0)
    var shutdown: Shutdown = .none
    var parser: FrameParser
    var decoder: HPACKDecoder
    var encoder = HPACKEncoder()

    // The peer's settings (§6.5.2 defaults until its SETTINGS arrive).
    var peerInitialWindowSize = 65_535
    public internal(set) var peerMaxFrameSize = 16_384
    public internal(set) var peerMaxHeaderListSize: Int?
    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS: how many streams we may open (client role);
    /// nil until its SETTINGS say (unlimited by §6.5.2, though a client waits for them, see
    /// `H2ClientConnection`).
    public internal(set) var peerMaxConcurrentStreams: Int?
    /// Whether the peer's first SETTINGS arrived.
    public internal(set) var isPeerSettingsReceived = false
    /// Whether the client acknowledged our SETTINGS.
    public internal(set) var isSettingsAcknowledged = false

    var streams: [StreamID: Stream] = [:]
    /// The highest stream id the client used (§5.1.1: a new one must be above it).
    public internal(set) var highestPeerStream: StreamID = 0
    /// The highest stream id we opened (client role): our next one is 2 above it.
    public internal(set) var highestLocalStream: StreamID = 0
    /// Why the client role reset a stream itself (a malformed response), for the IO layer's report.
    var localResetDetails: [StreamID: String] = [:]
    /// How recently closed streams ended, bounded (`closedMemory`): frames on a stream we reset are
    /// ignored (§5.1 "closed"), others answered with STREAM_CLOSED.
    var closedStreams: [StreamID: ClosedHow] = [:]
    var closedOrder: [StreamID] = []
    var closedNext = 0
    static let closedMemory = 256
    /// A HEADERS without END_HEADERS and the CONTINUATIONs so far (§6.10).
    var pendingBlock: PendingBlock?

    // Flow control (§5.2): what we may send, and what the peer may still send us.
    public internal(set) var connectionSendWindow = 65_535
    public internal(set) var connectionReceiveWindow = 65_535
    /// Received bytes consumed but not yet given back with WINDOW_UPDATE on stream 0.
    var connectionConsumed = 0

    /// The last-stream-id of the last GOAWAY sent; a later one never rises above it (§6.8).
    public internal(set) var lastGoAwayStream: StreamID?
    /// Resets the client caused since the last `resetWindowElapsed()`.
    public internal(set) var recentResets = 0
    /// PING, SETTINGS and empty DATA frames since the last `resetWindowElapsed()`.
    public internal(set) var recentControlFrames = 0
    /// Streams the client opened (requests delivered), for stats.
    public internal(set) var streamsOpened = 0

    public init(role: Role = .server, configuration: H2Configuration = H2Configuration()) {
        precondition(configuration.maxFrameSize >= 16_384 && configuration.maxFrameSize <= 16_777_215, "H2Configuration.maxFrameSize \(configuration.maxFrameSize)")
        precondition(configuration.initialWindowSize >= 0 && configuration.initialWindowSize <= maxWindowSize, "H2Configuration.initialWindowSize \(configuration.initialWindowSize)")
        precondition(configuration.connectionWindowSize >= 65_535 && configuration.connectionWindowSize <= maxWindowSize, "H2Configuration.connectionWindowSize \(configuration.connectionWindowSize)")
        precondition((0...Int(UInt32.max)).contains(configuration.maxConcurrentStreams) && (0...Int(UInt32.max)).contains(configuration.maxHeaderListSize),
                     "H2Configuration limits \(configuration.maxConcurrentStreams), \(configuration.maxHeaderListSize)")
        self.configuration = configuration
        self.role = role
        // A client sends the preface; what it reads starts with the server's SETTINGS (§3.4).
        if role == .client { state = .awaitingSettings }
        self.parser = FrameParser(maxFrameSize: configuration.maxFrameSize)
        self.decoder = HPACKDecoder(maxHeaderListSize: configuration.maxHeaderListSize)
    }

    /// Open streams (open or half-closed either way): what SETTINGS_MAX_CONCURRENT_STREAMS counts.
    public var activeStreamCount: Int { streams.count }
    public var isClosed: Bool { state == .closed }

    /// The first frames (the server's without waiting for the preface, §3.4; a client's right after
    /// its preface, which the IO layer writes first): our SETTINGS, and a WINDOW_UPDATE raising the
    /// connection window when configured above the default. A client says ENABLE_PUSH 0 (§8.4).
    public mutating func start() -> [H2Action] {
        var settings = role == .server
            ? [Setting(.maxConcurrentStreams, UInt32(configuration.maxConcurrentStreams)),
               Setting(.maxHeaderListSize, UInt32(configuration.maxHeaderListSize))]
            : [Setting(.enablePush, 0), Setting(.maxHeaderListSize, UInt32(configuration.maxHeaderListSize))]
        if configuration.initialWindowSize != 65_535 { settings.append(Setting(.initialWindowSize, UInt32(configuration.initialWindowSize))) }
        if configuration.maxFrameSize != 16_384 { settings.append(Setting(.maxFrameSize, UInt32(configuration.maxFrameSize))) }
        var actions: [H2Action] = [.send(.settings(ack: false, settings))]
        if configuration.connectionWindowSize > 65_535 {
            let increment = configuration.connectionWindowSize - 65_535
            connectionReceiveWindow += increment
            actions.append(.send(.windowUpdate(stream: 0, increment: UInt32(increment))))
        }
        return actions
    }

    /// Bytes from the socket, in any split.
    public mutating func receivedBytes(_ bytes: [UInt8]) -> [H2Action] {
        var actions: [H2Action] = []
        actions.reserveCapacity(4)   // one allocation for the usual batch, not three as it grows
        var rest = bytes[...]
        if case .awaitingPreface(let matched) = state {
            let needed = H2Connection.clientPreface.count - matched
            let take = rest.prefix(needed)
            if !take.elementsEqual(H2Connection.clientPreface[matched..<(matched + take.count)]) {
                connectionError(.connection(.protocolError, "the client preface does not match at byte \(matched + firstDifference(take, from: matched))"), into: &actions)
                return actions
            }
            rest = rest.dropFirst(take.count)
            state = take.count == needed ? .awaitingSettings : .awaitingPreface(matched: matched + take.count)
            if take.count < needed { return actions }
        }
        guard state != .closed else { return actions }
        if rest.count == bytes.count { parser.append(bytes) } else { parser.append(rest) }
        while state != .closed {
            do {
                guard let frame = try parser.nextFrame() else { break }
                receivedFrame(frame, into: &actions)
            } catch {
                if pendingBlock != nil {
                    // §6.10: nothing may come between the frames of a header block.
                    connectionError(.connection(.protocolError, "a refused frame inside the header block of stream \(pendingBlock!.stream): \(error.detail)"), into: &actions)
                } else if let stream = error.stream {
                    streamError(stream, error.code, into: &actions)
                } else {
                    connectionError(error, into: &actions)
                }
            }
        }
        return actions
    }

    private func firstDifference(_ take: ArraySlice<UInt8>, from matched: Int) -> Int {
        for (i, byte) in take.enumerated() where byte != H2Connection.clientPreface[matched + i] { return i }
        return take.count
    }

    /// One frame, in order (§6).
    mutating func receivedFrame(_ frame: Frame, into actions: inout [H2Action]) {
        if state == .awaitingSettings {
            guard case .settings(ack: false, _) = frame else {
                connectionError(.connection(.protocolError, role == .server
                    ? "the first frame after the preface is \(frame), not SETTINGS"
                    : "the server's first frame is \(frame), not SETTINGS"), into: &actions)
                return
            }
            state = .open
        }
        if let pending = pendingBlock {
            guard case .continuation(let stream, let fragment, let endHeaders) = frame, stream == pending.stream else {
                connectionError(.connection(.protocolError, "\(frame) inside the header block of stream \(pending.stream), which needs CONTINUATION"), into: &actions)
                return
            }
            receivedContinuation(fragment, endHeaders: endHeaders, into: &actions)
            return
        }
        switch frame {
        case .ping(ack: false, _), .settings(ack: false, _), .data(_, [], false, _):
            guard countControlFrame(frame, into: &actions) else { return }
        default:
            break
        }
        switch frame {
        case .data(let stream, let payload, let endStream, let padLength):
            receivedData(stream: stream, payload: payload, endStream: endStream, padLength: padLength, into: &actions)
        case .headers(let stream, let fragment, let endStream, let endHeaders, let priority, _):
            // §5.3.1: a stream cannot depend on itself (a stream error; its block is still decoded).
            receivedHeaders(stream: stream, fragment: fragment, endStream: endStream, endHeaders: endHeaders,
                            selfDependent: priority?.dependency == stream, into: &actions)
        case .priority(let stream, let fields):
            if fields.dependency == stream { streamError(stream, .protocolError, into: &actions) }
        case .rstStream(let stream, let code):
            receivedReset(stream: stream, code: code, into: &actions)
        case .settings(let ack, let list):
            if ack {
                isSettingsAcknowledged = true
            } else {
                receivedSettings(list, into: &actions)
            }
        case .pushPromise(let stream, _, _, _, _):
            connectionError(.connection(.protocolError, role == .server
                ? "PUSH_PROMISE on stream \(stream): a client cannot push"
                : "PUSH_PROMISE on stream \(stream), but we sent SETTINGS_ENABLE_PUSH 0"), into: &actions)
        case .ping(let ack, let opaque):
            if !ack {
                actions.append(.send(.ping(ack: true, opaque: opaque)))
            } else if opaque == H2Connection.shutdownPingPayload && shutdown == .announced {
                sendFinalGoAway(into: &actions)
            }
        case .goaway(let last, let code, _):
            actions.append(.peerWentAway(lastStream: last, code))
        case .windowUpdate(let stream, let increment):
            receivedWindowUpdate(stream: stream, increment: Int(increment), into: &actions)
        case .continuation(let stream, _, _):
            connectionError(.connection(.protocolError, "CONTINUATION on stream \(stream) without a HEADERS before it"), into: &actions)
        case .unknown:
            return   // §5.5
        }
    }

    /// §6.5: apply the peer's parameters, then acknowledge them.
    mutating func receivedSettings(_ list: [Setting], into actions: inout [H2Action]) {
        isPeerSettingsReceived = true
        for setting in list {
            switch setting.id {
            case .maxConcurrentStreams:
                peerMaxConcurrentStreams = Int(setting.value)
            case .enablePush where role == .client && setting.value != 0:
                // §6.5.2: a server never sends ENABLE_PUSH 1.
                connectionError(.connection(.protocolError, "SETTINGS_ENABLE_PUSH \(setting.value) from a server"), into: &actions)
                return
            case .headerTableSize:
                encoder.setMaxTableSizeLimit(Int(setting.value))
                encoder.setMaxTableSize(min(Int(setting.value), 4096))
            case .initialWindowSize:
                // §6.9.2: every open stream's send window moves by the difference, and may go negative.
                let delta = Int(setting.value) - peerInitialWindowSize
                peerInitialWindowSize = Int(setting.value)
                for id in streams.keys.sorted() {
                    streams[id]!.sendWindow += delta
                    if streams[id]!.sendWindow > maxWindowSize {
                        connectionError(.connection(.flowControlError, "SETTINGS_INITIAL_WINDOW_SIZE \(setting.value) takes the window of stream \(id) to \(streams[id]!.sendWindow), above 2^31-1"), into: &actions)
                        return
                    }
                }
            case .maxFrameSize:
                peerMaxFrameSize = Int(setting.value)
            case .maxHeaderListSize:
                peerMaxHeaderListSize = Int(setting.value)
            default:
                continue   // ENABLE_PUSH (we never push), unknown
            }
        }
        actions.append(.send(.settings(ack: true, [])))
        flushAll(into: &actions)
    }

    /// The IO layer calls this each time its rapid-reset window (say a second) ends.
    public mutating func resetWindowElapsed() {
        recentResets = 0
        recentControlFrames = 0
    }

    /// Counts one frame that moves no request along; past the limit, ENHANCE_YOUR_CALM. Returns
    /// false when the connection is now closed.
    mutating func countControlFrame(_ frame: Frame, into actions: inout [H2Action]) -> Bool {
        recentControlFrames += 1
        if recentControlFrames > configuration.maxControlFramesPerWindow {
            connectionError(.connection(.enhanceYourCalm, "\(recentControlFrames) PING, SETTINGS or empty DATA frames in one window, above the limit of \(configuration.maxControlFramesPerWindow) (the last: \(frame))"), into: &actions)
            return false
        }
        return true
    }

    /// The IO layer's SETTINGS timer fired (§6.5.3): if the client has not acknowledged our
    /// SETTINGS, the connection ends with SETTINGS_TIMEOUT.
    public mutating func settingsTimeoutFired() -> [H2Action] {
        guard state != .closed, !isSettingsAcknowledged else { return [] }
        var actions: [H2Action] = []
        connectionError(.connection(.settingsTimeout, "our SETTINGS were not acknowledged in time"), into: &actions)
        return actions
    }

    /// Counts one stream the client reset or made us reset; past the limit, ENHANCE_YOUR_CALM.
    mutating func countReset(into actions: inout [H2Action]) {
        guard role == .server else { return }   // a server resetting our streams costs us nothing
        recentResets += 1
        if recentResets > configuration.maxResetsPerWindow {
            connectionError(.connection(.enhanceYourCalm, "\(recentResets) streams reset in one window, above the limit of \(configuration.maxResetsPerWindow)"), into: &actions)
        }
    }

    // MARK: GOAWAY and shutdown (§6.8)

    /// Sends GOAWAY; the last-stream-id never rises above one sent before.
    mutating func sendGoAway(lastStream: StreamID, _ code: ErrorCode, debug: String, into actions: inout [H2Action]) {
        let last = min(lastStream, lastGoAwayStream ?? maxStreamID)
        lastGoAwayStream = last
        actions.append(.send(.goaway(lastStream: last, code, debug: Array(debug.utf8))))
    }

    /// A connection error (§5.4.1): GOAWAY with its code and the last stream we processed, then close.
    mutating func connectionError(_ error: H2Error, into actions: inout [H2Action]) {
        guard state != .closed else { return }
        state = .closed
        pendingBlock = nil
        sendGoAway(lastStream: highestPeerStream, error.code, debug: error.detail, into: &actions)
        actions.append(.close(error))
    }

    /// Starts a graceful shutdown (§6.8): GOAWAY with 2^31-1 and a PING; when the PING's ACK comes
    /// back, every stream the client opened before it saw the GOAWAY has arrived, and the GOAWAY with
    /// the real last stream id follows. Streams in flight finish; then the connection closes.
    public mutating func startGracefulShutdown() -> [H2Action] {
        guard state != .closed, shutdown == .none else { return [] }
        var actions: [H2Action] = []
        shutdown = .announced
        sendGoAway(lastStream: maxStreamID, .noError, debug: "", into: &actions)
        actions.append(.send(.ping(ack: false, opaque: H2Connection.shutdownPingPayload)))
        return actions
    }

    /// Sends the real GOAWAY now, without waiting for the PING's ACK (the IO layer's timer).
    public mutating func finishGracefulShutdown() -> [H2Action] {
        guard state != .closed, shutdown != .draining else { return [] }
        var actions: [H2Action] = []
        sendFinalGoAway(into: &actions)
        return actions
    }

    mutating func sendFinalGoAway(into actions: inout [H2Action]) {
        shutdown = .draining
        sendGoAway(lastStream: highestPeerStream, .noError, debug: "", into: &actions)
        closeIfDrained(into: &actions)
    }

    mutating func closeIfDrained(into actions: inout [H2Action]) {
        if shutdown == .draining && streams.isEmpty && state != .closed {
            state = .closed
            actions.append(.close(nil))
        }
    }
}
