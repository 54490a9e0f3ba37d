import LabScript
import Wire

// Statements that act on raw sockets: `open`, `send`, `recv`, `close`, `abort`: bytes on a TCP
// connection with no HTTP client in between.

extension Interpreter {
    func openSocket(_ name: String, _ settings: [Setting], _ scope: Scope, at: SourceLocation, done: @escaping Done) throws(LabRuntimeError) {
        var port = lab.server.port
        for setting in settings {
            switch setting.key {
            case "port":
                let value = try number(setting.value, scope, what: "port")
                guard value >= 1, value <= 65535 else { throw LabRuntimeError("port must be 1...65535", at: setting.location) }
                port = UInt16(value)
            case "to":
                port = try self.port(to: setting, scope, owner: "open \(name) ")
            default:
                throw LabRuntimeError("open takes to= or port=, not \(setting.key)=", at: setting.location)
            }
        }
        lab.sockets[name]?.close()
        let socket = RawConnection(loop: lab.loop)
        lab.sockets[name] = socket
        lab.socketOpened(name, socket)
        socket.onChange = { [weak self, weak socket] in
            guard let self, let socket, socket.state != .connecting else { return }
            socket.onChange = nil
            if case .failed(let error) = socket.state {
                self.abort(LabRuntimeError("open \(name): \(error)", at: at))
                return
            }
            self.lab.socketConnected(socket)
            done(nil)
        }
        socket.connect(port: port)
    }

    func send(_ data: Expression, on name: String, _ scope: Scope, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        guard let socket = lab.sockets[name] else { throw unknownSocket(name, at: at) }
        socket.send(try evaluate(data, scope).description)
        done(nil)
    }

    /// `close NAME`: half-closes (shuts down writing); what the server sends can still be read.
    func closeSocket(_ name: String, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        guard let socket = lab.sockets[name] else { throw unknownSocket(name, at: at) }
        socket.shutdownWrite()
        done(nil)
    }

    func abortSocket(_ name: String, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        guard let socket = lab.sockets[name] else { throw unknownSocket(name, at: at) }
        socket.abort()
        done(nil)
    }

    func receiveBytes(_ receive: Receive, scope: Scope, bindTo: Binding?, at: SourceLocation, done: @escaping Done) throws(LabRuntimeError) {
        guard let socket = lab.sockets[receive.socket] else { throw unknownSocket(receive.socket, at: at) }
        try checkBinding(bindTo, scope, at: at)
        let timeoutMs = try receive.timeout.map { (t) throws(LabRuntimeError) -> Double in try number(t, scope, what: "timeout") } ?? 2_000
        var delimiter: [UInt8]?
        var byteCount: Int?
        switch receive.stop {
        case .delimiter(let text): delimiter = Array(try evaluate(text, scope).description.utf8)
        case .byteCount(let count): byteCount = try wholeNumber(count, scope, what: "bytes")
        case .close, .firstRead: break
        }
        let stop = receive.stop
        // How many received bytes the recv takes, or nil while it must keep waiting.
        func ready() -> Int? {
            let buffered = socket.received
            let ended = socket.state != .open && socket.state != .connecting
            switch stop {
            case .firstRead: return buffered.isEmpty ? (ended ? 0 : nil) : buffered.count
            case .close: return ended ? buffered.count : nil
            case .byteCount: return buffered.count >= byteCount! ? byteCount! : (ended ? buffered.count : nil)
            case .delimiter:
                if let range = find(delimiter!, in: buffered) { return range }
                return ended ? buffered.count : nil
            }
        }
        var finished = false
        // Weak: the timer's action holds `complete`, which would otherwise hold the timer, a cycle
        // that kept the whole lab alive after the run. The loop's heap holds the timer while it is armed.
        weak var timer: LoopTimer?
        let complete = { [weak self, weak socket] (timedOut: Bool) in
            guard let self, let socket, !finished, !self.isFinished else { return }
            finished = true
            timer?.release()   // and with it this closure, not only when the deadline comes
            socket.onChange = nil
            let count = timedOut ? socket.received.count : (ready() ?? socket.received.count)
            let all = socket.take()
            let taken = Array(all.prefix(count))
            if count < all.count { socket.putBack(Array(all[count...])) }
            if let bindTo { self.bind(bindTo, in: scope, .string(String(decoding: taken, as: UTF8.self))) }
            done(nil)
        }
        if ready() != nil { complete(false); return }
        socket.onChange = { if ready() != nil { complete(false) } }
        timer = lab.loop.schedule(afterMs: timeoutMs) { complete(true) }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start + needle.count }
        }
        return nil
    }
}
