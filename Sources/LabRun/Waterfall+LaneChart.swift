import Wire

extension Waterfall {
    /// The glyphs of the connection picture, in one place so the drawing and the legend agree.
    enum Glyph {
        /// A request, in two shades that alternate along a lane so neighbours stand apart.
        static let request: [Character] = ["█", "▒"]
        static let connecting: Character = "▓"
        static let queued: Character = "░"
        /// Where a request starts that waited for a socket while this one was busy.
        static let waitedBehind: Character = "»"
        static let failed: Character = "✘"
        /// Ten or more requests began in one column (two to nine print as the digit).
        static let many: Character = "+"
        /// A raw socket's connection while it is open and nothing is asked on it.
        static let open: Character = "·"
    }

    /// The connection picture of one run (see `Waterfall.render`), laid out for `width` columns.
    struct LaneChart {
        let text: String

        init(records: [RequestRecord], sockets: [SocketRecord] = [], startedNanos: Int64, width: Int) {
            let (agentLanes, unconnected) = Waterfall.lanes(of: records, startedNanos: startedNanos)
            let socketLanes = Waterfall.lanes(of: sockets, startedNanos: startedNanos)
            // Every connection in the order it was first used, agents' and raw sockets' alike.
            let connected = (agentLanes.enumerated().map { ($0.element, 0, $0.offset) } + socketLanes.enumerated().map { ($0.element, 1, $0.offset) })
                .sorted { ($0.0.firstUse, $0.1, $0.2) < ($1.0.firstUse, $1.1, $1.2) }.map(\.0)
            // Too many connections for a row each: fold the ones used once, then count what is left.
            let lanes = connected.count > laneLimit ? Waterfall.folded(connected) : connected
            let rows = Array(lanes.prefix(laneLimit)) + (unconnected.map { [$0] } ?? [])
            let endMs = max(0.001, (lanes + rows).flatMap(\.spans).map(\.done).max() ?? 0, lanes.map(\.lastUse).max() ?? 0)

            // An HTTP/2 connection's streams go on rows of their own under its lane.
            // (A connection that carried a single stream is drawn as an HTTP/1.1 one would be.)
            let layouts = rows.map { $0.isMultiplexed && $0.connections != nil && $0.spans.count > 1 ? StreamLayout($0) : nil }
            let streamLabels = layouts.flatMap { $0?.rows.map { "  " + Waterfall.streamLabel($0) } ?? [] }
            let labelWidth = max(2, min((rows.map { Self.label($0).count } + streamLabels.map(\.count)).max() ?? 2, 16, max(6, width / 5)))
            let notes = rows.map(Self.note)
            let streamNotes = layouts.flatMap { $0?.rows.map(Waterfall.streamNote) ?? [] }
            // Notes that name another server ("3 requests to warmEdge") may take up to a third of the width.
            let noteCap = notes.contains { $0.contains(" to ") } ? min(28, width / 3) : min(20, width / 4)
            let noteWidth = min((notes + streamNotes).map(\.count).max() ?? 0, max(11, noteCap))
            let columns = max(10, width - 4 - labelWidth - noteWidth)
            let track = Track(columns: columns, msPerColumn: endMs / Double(columns))
            let bars = rows.map { $0.isMultiplexed && $0.connections != nil ? Waterfall.multiplexedBar($0, on: track) : Self.bar($0, on: track) }
            let streamBars = layouts.map { $0?.rows.map { Waterfall.streamBar($0, on: track) } ?? [] }

            func row(_ label: String, _ rest: String) -> String {
                var line = "  " + label.rightPadded(to: labelWidth) + " " + rest
                while line.last == " " { line.removeLast() }
                return cut(line, to: width)
            }
            let hasStreams = layouts.contains { $0 != nil }
            let title = ["Waterfall:", "one", "row", "per", "connection,"] + (hasStreams ? ["its", "HTTP/2", "streams", "under", "it,"] : [])
                + ["\(fixed(endMs)) ms", "in", "all", "(one column ≈ \(fixed(track.msPerColumn)) ms)"]
            var lines = flow(title, width: width, continuation: "  ")
            let streamDrawn = streamBars.flatMap { $0 }.joined()
            lines += flow(Self.legend(for: bars.joined() + streamDrawn, folded: rows.contains(where: \.isFolded),
                                      streams: hasStreams, streamWait: streamDrawn.contains(Glyph.queued)),
                          width: width, indent: "  ", separator: "  ")
            let axis = axis(track, room: width - 3 - labelWidth)
            lines.append(row("ms", axis.labels))
            lines.append(row("", axis.ruler))
            for (index, lane) in rows.enumerated() {
                lines.append(row(Self.label(lane, width: labelWidth), bars[index] + " " + notes[index]))
                if let layout = layouts[index] {
                    for (rowIndex, streams) in layout.rows.enumerated() {
                        lines.append(row(cut("  " + Waterfall.streamLabel(streams), to: labelWidth), streamBars[index][rowIndex] + " " + Waterfall.streamNote(streams)))
                    }
                    if !layout.hidden.isEmpty {
                        lines += flow(Waterfall.hiddenStreams(layout), width: width, indent: "    ", continuation: "      ")
                    }
                }
                if index == min(lanes.count, laneLimit) - 1, lanes.count > laneLimit {
                    lines += flow(Self.hidden(lanes.dropFirst(laneLimit)), width: width, indent: "  ", continuation: "    ")
                }
            }
            let agentConnections = agentLanes.map { $0.connections?.count ?? 0 }.reduce(0, +)
            lines += flow(Summary(records, connections: agentConnections, sockets: socketLanes).items, width: width, continuation: "  ")
            text = lines.joined(separator: "\n") + "\n"
        }

        /// `agent #id`, `agent #first–last` for a folded row, or "no connection"; cut to `width` by
        /// shortening the agent's name, so the connection numbers stay readable.
        static func label(_ lane: Lane, width: Int = .max) -> String {
            guard let connections = lane.connections else { return cut("no connection", to: width) }
            if lane.isSocket { return cut(lane.agent, to: width) }
            let numbers = " #\(connections.lowerBound)" + (lane.isFolded ? "–\(connections.upperBound)" : "")
            let full = lane.agent + numbers
            guard full.count > width else { return full }
            return width >= numbers.count + 2 ? cut(lane.agent, to: width - numbers.count) + numbers : cut(full, to: width)
        }

        /// What is right of a lane: how many requests it carried, and how many failed.
        static func note(_ lane: Lane) -> String {
            guard lane.connections != nil else { return "\(lane.spans.count) failed" }
            if lane.isSocket { return plural(lane.spans.count, "request") }
            if lane.isMultiplexed {
                let failed = lane.failures > 0 ? ", \(lane.failures) failed" : ""
                return "h2, " + plural(lane.spans.count, "stream") + (lane.destination.map { " to \($0)" } ?? "") + failed
            }
            let failed = lane.failures > 0 ? ", \(lane.failures) failed" : ""
            let destination = lane.destination.map { " to \($0)" } ?? ""
            return (lane.isFolded ? "\(lane.spans.count) × 1 request" : plural(lane.spans.count, "request")) + destination + failed
        }

        /// One lane's bar. Waits are painted first and requests over them, so a wait shows where
        /// the connection had nothing else to draw (typically before its first request); a wait of
        /// a column or more that the connection's own earlier requests cover is marked `»` where the
        /// request starts. Where several requests begin in one column, the column shows how many.
        /// A failed request ends in `✘`.
        static func bar(_ lane: Lane, on empty: Track) -> String {
            guard lane.connections != nil else { return unconnectedBar(lane, on: empty) }
            var track = empty
            if let life = lane.life {
                track.paint(from: life.from, to: life.to ?? track.msPerColumn * Double(track.cells.count), Glyph.open, atLeastOne: true)
            }
            if let connecting = lane.connecting { track.paint(from: connecting.from, to: connecting.to, Glyph.connecting) }
            for span in lane.spans { track.paint(from: span.submitted, to: span.assigned, Glyph.queued) }
            for (index, span) in lane.spans.enumerated() {
                track.paint(from: span.assigned, to: span.connected, Glyph.connecting)
                track.paint(from: span.connected, to: span.done, Glyph.request[index % 2], atLeastOne: true)
            }
            for span in lane.spans where span.queueWait >= track.msPerColumn {
                let waited = track.columns(from: span.submitted, to: span.assigned, atLeastOne: false)
                if !track.cells[waited].contains(Glyph.queued) { track.cells[track.column(span.assigned)] = Glyph.waitedBehind }
            }
            var starts: [Int: Int] = [:]
            for span in lane.spans { starts[track.column(span.assigned), default: 0] += 1 }
            for (column, count) in starts where count > 1 {
                track.cells[column] = count < 10 ? Character(String(count)) : Glyph.many
            }
            for span in lane.spans where span.isFailed {
                track.cells[track.columns(from: span.connected, to: span.done, atLeastOne: true).last!] = Glyph.failed
            }
            return track.text
        }

        /// The "no connection" row: each request waited from when it was sent until it failed.
        static func unconnectedBar(_ lane: Lane, on empty: Track) -> String {
            var track = empty
            for span in lane.spans { track.paint(from: span.submitted, to: span.done, Glyph.queued, atLeastOne: true) }
            for span in lane.spans {
                track.cells[track.columns(from: span.submitted, to: span.done, atLeastOne: true).last!] = Glyph.failed
            }
            return track.text
        }

        /// The legend: what each glyph in `drawn` means (the request shades always, the rest only
        /// when they appear), and what the stream rows are when an HTTP/2 connection has them.
        static func legend(for drawn: String, folded: Bool, streams: Bool = false, streamWait: Bool = false) -> [String] {
            var items = ["\(String(Glyph.request)) requests (shades alternate)"]
            if drawn.contains(Glyph.connecting) { items.append("\(Glyph.connecting) connecting") }
            if drawn.contains(Glyph.open) { items.append("\(Glyph.open) socket open, nothing asked") }
            if drawn.contains(Glyph.queued) { items.append("\(Glyph.queued) waiting for a socket" + (streamWait ? " or a stream" : "")) }
            if drawn.contains(Glyph.waitedBehind) { items.append("\(Glyph.waitedBehind) had waited for this socket") }
            if drawn.contains(where: \.isWholeNumber) { items.append("2-9 requests in one column") }
            if drawn.contains(Glyph.many) { items.append("\(Glyph.many) ten or more") }
            if drawn.contains(Glyph.failed) { items.append("\(Glyph.failed) failed") }
            if folded { items.append("#m–n connections used once each") }
            if streams { items.append("sN HTTP/2 stream N of the connection above (+k: k more after it)") }
            return items
        }

        /// The line that counts the connections not drawn, by agent in order of first use.
        static func hidden(_ lanes: ArraySlice<Lane>) -> [String] {
            var agents: [String] = []
            var counts: [String: Int] = [:]
            for lane in lanes {
                if counts[lane.agent] == nil { agents.append(lane.agent) }
                counts[lane.agent, default: 0] += lane.connections?.count ?? 0
            }
            let total = counts.values.reduce(0, +)
            let byAgent = agents.map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
            return "… \(plural(total, "more connection")) not drawn (\(byAgent))".split(separator: " ").map(String.init)
        }
    }
}
