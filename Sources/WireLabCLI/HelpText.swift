/// Help pages in the shape swift-argument-parser users know: OVERVIEW, USAGE, OPTIONS.
enum HelpText {
    static func command(_ name: String, summary: String, usage: String, arguments: [(String, String)] = [],
                        options: [OptionSpec], discussion: String? = nil) -> String {
        var text = "OVERVIEW: \(summary)\n\n"
        if let discussion { text += discussion.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") + "\n\n" }
        text += "USAGE: \(usage)\n\n"
        if !arguments.isEmpty {
            text += "ARGUMENTS:\n"
            let width = arguments.map(\.0.count).max() ?? 0
            for (name, help) in arguments { text += "  " + name.rightPadded(to: width + 2) + help + "\n" }
            text += "\n"
        }
        text += "OPTIONS:\n"
        let labels = options.map { spec -> String in
            var label = spec.short.map { "-\($0), " } ?? ""
            label += "--\(spec.name)"
            if let value = spec.valueName { label += spec.isValueOptional ? "[=<\(value)>]" : " <\(value)>" }
            return label
        }
        let width = min(labels.map(\.count).max() ?? 0, 34)
        for (label, spec) in zip(labels, options) {
            if label.count > width {
                text += "  \(label)\n" + String(repeating: " ", count: width + 4) + spec.help + "\n"
            } else {
                text += "  " + label.rightPadded(to: width + 2) + spec.help + "\n"
            }
        }
        return text
    }
}
