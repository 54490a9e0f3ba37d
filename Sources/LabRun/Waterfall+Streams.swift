extension Waterfall {
    /// The most stream rows drawn under one HTTP/2 connection's lane; the streams of the rows past
    /// it are counted on one line.
    public static let streamRowLimit = 8

    /// The streams of one HTTP/2 connection, laid out in rows under its lane: each stream goes on
    /// the first row that is free by the time it was sent, so streams that overlap in time get rows
    /// of their own and streams that followed each other share one. The number of rows is the most
    /// streams that overlapped in time, from when each was sent (a wait for the connection or for
    /// a free stream included) to when it was done, up to `streamRowLimit`.
    struct StreamLayout: Equatable {
        /// Each row's streams, in the order they were sent.
        var rows: [[Span]]
        /// Streams on rows past `streamRowLimit`, not drawn.
        var hidden: [Span]
        /// The most streams under way at one instant, sent and not yet done (one ending as another
        /// begins does not overlap it): the rows the layout needed before the limit.
        var mostAtOnce: Int

        init(_ lane: Lane, limit: Int = Waterfall.streamRowLimit) {
            let ordered = lane.spans.sorted { ($0.submitted, $0.stream ?? .max, $0.done) < ($1.submitted, $1.stream ?? .max, $1.done) }
            var rows: [[Span]] = []
            for span in ordered {
                // A row is free once its last stream is done; a stream that began the same instant
                // another ended may follow it on the row.
                if let index = rows.firstIndex(where: { $0.last!.done <= span.submitted }) {
                    rows[index].append(span)
                } else {
                    rows.append([span])
                }
            }
            mostAtOnce = rows.count
            self.rows = Array(rows.prefix(max(0, limit)))
            hidden = rows.dropFirst(max(0, limit)).flatMap { $0 }
        }

        /// The most of `spans` under way at one instant, counted from their edges: a check on the layout.
        static func mostAtOnce(_ spans: [Span]) -> Int {
            // Ends sort before starts at the same instant.
            let edges = spans.flatMap { [($0.submitted, 1), ($0.done, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            var open = 0
            var most = 0
            for (_, step) in edges {
                open += step
                most = max(most, open)
            }
            return most
        }
    }

    /// "s1" for a row with one stream, "s1 +2" for a row whose first stream is 1 and that carried
    /// two more after it.
    static func streamLabel(_ row: [Span]) -> String {
        let first = row.first?.stream.map { "s\($0)" } ?? "s?"
        return row.count > 1 ? "\(first) +\(row.count - 1)" : first
    }

    /// What is right of a stream row: "stream 1", or "3 streams" for a row that carried several.
    static func streamNote(_ row: [Span]) -> String {
        guard row.count > 1 else { return "stream \(row.first?.stream.map(String.init) ?? "?")" + (row.first?.isFailed == true ? ", failed" : "") }
        let failed = row.count(where: \.isFailed)
        return "\(row.count) streams" + (failed > 0 ? ", \(failed) failed" : "")
    }

    /// One stream row's bar: each stream's wait for a stream slot (`░`, from when it was sent to
    /// when the connection took it), the connection's opening for the stream that opened it (`▓`),
    /// then the stream itself, in alternating shades along the row. A failed stream ends in `✘`.
    static func streamBar(_ row: [Span], on empty: Track) -> String {
        var track = empty
        for span in row { track.paint(from: span.submitted, to: span.assigned, Glyph.queued) }
        for (index, span) in row.enumerated() {
            track.paint(from: span.assigned, to: span.connected, Glyph.connecting)
            track.paint(from: span.connected, to: span.done, Glyph.request[index % 2], atLeastOne: true)
        }
        for span in row where span.isFailed {
            track.cells[track.columns(from: span.connected, to: span.done, atLeastOne: true).last!] = Glyph.failed
        }
        return track.text
    }

    /// An HTTP/2 connection's own lane: opening it (`▓`), then one shade wherever at least one of
    /// its streams was open. Where several streams began in one column the column shows how many,
    /// as for requests; a column where a stream failed shows `✘`.
    static func multiplexedBar(_ lane: Lane, on empty: Track) -> String {
        var track = empty
        for span in lane.spans { track.paint(from: span.assigned, to: span.connected, Glyph.connecting) }
        for span in lane.spans { track.paint(from: span.connected, to: span.done, Glyph.request[0], atLeastOne: true) }
        var starts: [Int: Int] = [:]
        for span in lane.spans { starts[track.column(span.connected), default: 0] += 1 }
        for (column, count) in starts where count > 1 {
            track.cells[column] = count < 10 ? Character(String(count)) : Glyph.many
        }
        for span in lane.spans where span.isFailed {
            track.cells[track.columns(from: span.connected, to: span.done, atLeastOne: true).last!] = Glyph.failed
        }
        return track.text
    }

    /// The line under a connection's stream rows that counts the streams not drawn.
    static func hiddenStreams(_ layout: StreamLayout) -> [String] {
        "… \(plural(layout.hidden.count, "more stream")) not drawn (\(layout.mostAtOnce) overlapped in time)"
            .split(separator: " ").map(String.init)
    }
}
