import LabKit
import LabRun
import Wire

/// `wirelab run --trace[=<filter>]` and `--waterfall[=<layout>,<filter>]`: what to show of a run's
/// connection events and requests. A whole lesson's trace runs to thousands of lines; the filters
/// (`RunFilter`) keep one connection, one agent or a few statements, and `summary` counts.
extension RunCommand {
    /// The trace being printed: which events it keeps, how many it saw, and the tally for `summary`.
    final class TracePrinter {
        let filter: RunFilter
        let console: Console
        let style: Style
        private(set) var seen = 0
        private(set) var kept = 0
        private var tally = TraceTally()
        private var sources: [TraceEvent.Source] = []

        init(filter: RunFilter, console: Console, style: Style) {
            self.filter = filter
            self.console = console
            self.style = style
        }

        func receive(_ event: TraceEvent) {
            seen += 1
            if !sources.contains(event.source) { sources.append(event.source) }
            guard filter.keeps(event) else { return }
            kept += 1
            if filter.isSummary { tally.add(event) } else { console.line(style.dim("  · " + event.rendered)) }
        }

        /// After the run: the summary, or how many events the filter kept; a name the filter gave
        /// that never showed up is pointed out.
        func finish() {
            let all = "\(seen) event\(seen == 1 ? "" : "s")"
            if filter.isSummary {
                console.line("")
                let scope = filter.isEmpty ? all : "\(kept) of \(all) (\(filter.spec))"
                console.line(style.bold("Trace summary: ") + scope + style.dim("; --trace alone lists each one"))
                for line in tally.lines() { console.line(line) }
            } else if !filter.isEmpty {
                console.line(style.dim("  · trace: \(kept) of \(all) shown (\(filter.spec))"))
            }
            let agents = sources.compactMap { if case .agent(let name) = $0 { return name } else { return nil } }
            for case .agent(let name, _) in filter.who where !agents.contains(name) {
                var note = "no agent named '\(name)' made an event in this run"
                if let guess = closestWord(to: name, in: agents) { note += " (did you mean '\(guess)'?)" }
                else if !agents.isEmpty { note += " (agents that did: \(agents.joined(separator: ", ")))" }
                console.line(style.yellow("  · ") + note)
            }
        }
    }

    /// The trace filter `--trace[=<filter>]` asks for; nil without the option.
    static func traceFilter(_ parsed: ParsedArguments) throws(UsageError) -> RunFilter? {
        guard parsed.has("trace") else { return nil }
        guard let value = parsed.value("trace") else { return RunFilter() }
        return try RunFilter.parse(value, option: "trace")
    }

    /// The picture `--waterfall[=<layout>][,<filter>]` asks for: nil without the option,
    /// `connections` when no layout is named. Anything else is a usage error naming what is accepted.
    static func waterfallRequest(_ parsed: ParsedArguments) throws(UsageError) -> (layout: Waterfall.Layout, filter: RunFilter)? {
        guard parsed.has("waterfall") else { return nil }
        guard let value = parsed.value("waterfall") else { return (.connections, RunFilter()) }
        var layout = Waterfall.Layout.connections
        let filter = try RunFilter.parse(value, option: "waterfall") { item in
            guard let named = Waterfall.Layout(rawValue: item) else { return false }
            layout = named
            return true
        }
        return (layout, filter)
    }

    /// The waterfall of `outcome`'s requests that `filter` keeps, with a line saying what it left out.
    static func renderWaterfall(_ outcome: ExperimentOutcome, layout: Waterfall.Layout, filter: RunFilter, width: Int,
                                plain: Bool = false) -> String {
        let records = filter.isEmpty ? outcome.requests : outcome.requests.filter(filter.keeps)
        // Raw sockets: drawn without a filter, or when `socket` / `socket:NAME` names them (see RunFilter).
        let sockets = outcome.sockets.filter { filter.keepsSocket($0.name) }
        var text = ""
        if !filter.isEmpty {
            text += "Waterfall of \(records.count) of \(outcome.requests.count) request\(outcome.requests.count == 1 ? "" : "s")"
            if !outcome.sockets.isEmpty {
                text += " and \(sockets.count) of \(outcome.sockets.count) raw socket\(outcome.sockets.count == 1 ? "" : "s")"
            }
            text += " (\(filter.spec))\n"
            if records.isEmpty && sockets.isEmpty { return text + "No request passed the filter.\n" }
        }
        return text + Waterfall.render(records, sockets: sockets, startedNanos: outcome.startedNanos, width: width, layout: layout, plain: plain)
    }
}
