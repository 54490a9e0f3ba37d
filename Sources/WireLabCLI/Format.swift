/// Number formatting without Foundation's locale surprises.
enum Format {
    /// `value` with exactly `decimals` digits after the point (rounded half away from zero).
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (abs(value) * scale).rounded() / scale
        let negative = value < 0 && rounded != 0
        let whole = Int64(rounded)
        var text = String(whole)
        if decimals > 0 {
            var fraction = String(Int64(((rounded - Double(whole)) * scale).rounded()))
            while fraction.count < decimals { fraction = "0" + fraction }
            text += "." + fraction
        }
        return negative ? "-" + text : text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
    func rightPadded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
