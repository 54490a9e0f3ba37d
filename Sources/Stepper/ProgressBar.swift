import LabKit

/// ProgressBar: the bottom row of the stepper, `█████░░░░░ 1/2 lessons done · 3/10 challenges
/// verified`. It is always exactly `width` visible columns: the wordiest label that leaves the bar
/// at least 8 columns wins, and the bar takes the rest.
enum ProgressBar {
    static let minimumBar = 8

    /// In `plain` mode the bar is ASCII in brackets (`[###-----]`) and the label uses words only.
    /// `revealed` challenges (answer shown, not verified) are named beside verified when there are
    /// any: `3/72 verified · 1 revealed`; the narrowest labels leave them out.
    static func line(lessonsDone: Int, lessons: Int, verified: Int, challenges: Int, revealed: Int = 0, width: Int, style: Style,
                     plain: Bool = false) -> String {
        let dot = plain ? "," : " ·"
        let shown = revealed > 0 ? "\(dot) \(revealed) revealed" : ""
        let labels: [String] = (plain ? [
            " \(lessonsDone)/\(lessons) lessons done, \(verified)/\(challenges) challenges verified\(shown)",
            revealed > 0 ? " \(lessonsDone)/\(lessons) lessons, \(verified)/\(challenges) verified\(shown)" : nil,
            " \(lessonsDone)/\(lessons) lessons, \(verified)/\(challenges) challenges",
            " \(lessonsDone)/\(lessons) lessons, \(verified)/\(challenges) verified",
            " \(lessonsDone)/\(lessons), \(verified)/\(challenges)",
            " \(lessonsDone)/\(lessons)",
        ] : [
            " \(lessonsDone)/\(lessons) lessons done · \(verified)/\(challenges) challenges verified\(shown)",
            revealed > 0 ? " \(lessonsDone)/\(lessons) lessons · \(verified)/\(challenges) verified\(shown)" : nil,
            " \(lessonsDone)/\(lessons) lessons · \(verified)/\(challenges) challenges",
            " \(lessonsDone)/\(lessons) lessons · \(verified)/\(challenges) ✔",
            " \(lessonsDone)/\(lessons) · \(verified)/\(challenges) ✔",
            " \(lessonsDone)/\(lessons)",
        ]).compactMap { $0 }
        let label = labels.first { $0.count + minimumBar <= width } ?? labels[labels.count - 1]
        let barWidth = max(0, width - label.count - (plain ? 2 : 0))
        let filled = lessons == 0 ? 0 : min(barWidth, (barWidth * lessonsDone + lessons / 2) / lessons)
        if plain {
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
            return TextFit.fit(bar + label, width: width)
        }
        let bar = style.green(String(repeating: "█", count: filled)) + style.dim(String(repeating: "░", count: barWidth - filled))
        return TextFit.fit(bar + label, width: width)
    }
}
