import HTTP1

/// `/page/<n>`: an HTML page for a real browser. It loads `n` distinct images from the same origin,
/// `/page/<n>/<i>` for i = 1...n, so a learner can open it under `wirelab serve` or `wirelab observe`
/// and watch how many connections the browser opens to load them (Chromium and Firefox open at most
/// six to one HTTP/1.1 host).
///
///     /page/<n>                  the page; n is 1...500
///     /page/<n>?delay=<d>        the same page, whose images are each answered after <d>
///                                (`200ms`, `1.5s`, or a bare number of milliseconds; at most 60 s)
///     /page/<n>/<i>              image i of n: a 1×1 GIF, answered at once
///     /page/<n>/<i>?delay=<d>    the same image, answered after <d>
///
/// The page itself is answered at once: the delay is the images'. Every answer carries
/// `Cache-Control: no-store`, so a reload fetches everything again and shows the connections again.
extension ServerRoutes {
    static let pageLimit = 1...500
    static let pageDelayLimitMs = 60_000

    /// The page or one of its images, for `/page/<n>` (two path segments) or `/page/<n>/<i>` (three).
    static func page(_ parts: [Substring], target: String) -> RouteResponse {
        guard let n = Int(parts[1]), pageLimit.contains(n) else {
            return problem(400, "page size must be \(pageLimit.lowerBound)...\(pageLimit.upperBound) resources, not \(parts[1])")
        }
        var delayMs = 0
        if let text = queryValue(target, "delay") {
            guard let ms = pageDelayMs(text) else {
                return problem(400, "delay must be a duration such as 200ms or 1.5s, 0...60s, not \(text)")
            }
            delayMs = ms
        }
        if parts.count == 2 {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
            headers.add(name: "Cache-Control", value: "no-store")
            return .complete(status: 200, headers: headers, body: Array(pageHTML(n, delayMs: delayMs).utf8), mustClose: false)
        }
        guard let i = Int(parts[2]), (1...n).contains(i) else {
            return problem(404, "page \(n) has resources 1...\(n), not \(parts[2])")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "image/gif")
        headers.add(name: "Cache-Control", value: "no-store")
        if delayMs == 0 {
            return .complete(status: 200, headers: headers, body: pixelGIF, mustClose: false)
        }
        return .delayed(ms: delayMs, status: 200, headers: headers, body: pixelGIF)
    }

    /// The URL of resource `i` of page `n`, as the page writes it.
    static func pageResourceTarget(_ n: Int, _ i: Int, delayMs: Int) -> String {
        "/page/\(n)/\(i)" + (delayMs > 0 ? "?delay=\(delayMs)ms" : "")
    }

    /// The HTML of `/page/<n>`: a few lines saying what it is, then the `n` images.
    static func pageHTML(_ n: Int, delayMs: Int) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>WireLab page of \(n) resources</title>
            </head>
            <body>
            <h1>\(n) images from this server</h1>
            <p>Each image is its own request\(delayMs > 0 ? ", answered after \(delayMs) ms" : ""). \
            Watch <code>wirelab serve</code> or <code>wirelab observe</code> to see how many connections \
            your browser opened to load them.</p>
            <p>

            """
        for i in 1...n {
            html += #"<img src="\#(pageResourceTarget(n, i, delayMs: delayMs))" width="8" height="8" alt="\#(i)">"#
            html += "\n"
        }
        html += "</p>\n</body>\n</html>\n"
        return html
    }

    /// A duration in milliseconds from `200ms`, `1.5s` or `200`; nil when it is not one, or more than
    /// `pageDelayLimitMs`.
    static func pageDelayMs(_ text: String) -> Int? {
        var number = Substring(text)
        var factor = 1.0
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
        } else if number.hasSuffix("s") {
            number = number.dropLast()
            factor = 1000
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number) else { return nil }
        let ms = (value * factor).rounded()
        guard ms >= 0, ms <= Double(pageDelayLimitMs) else { return nil }
        return Int(ms)
    }

    /// The raw value of query parameter `name` in `target`, or nil when it has none.
    static func queryValue(_ target: String, _ name: String) -> String? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if kv.count == 2, kv[0] == name { return String(kv[1]) }
        }
        return nil
    }

    /// A 1×1 GIF (GIF89a), byte by byte: the smallest image every browser decodes.
    static let pixelGIF: [UInt8] = Array("GIF89a".utf8)
        + [0x01, 0x00, 0x01, 0x00]   // logical screen: 1 × 1 (little-endian)
        + [0x80, 0x00, 0x00]         // a global colour table of 2 entries; background 0; no aspect ratio
        + [0x99, 0xCC, 0xFF]         // colour 0: a light blue
        + [0xFF, 0xFF, 0xFF]         // colour 1: white
        + [0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]   // image at 0,0, 1 × 1, no local table
        + [0x02]                     // LZW minimum code size 2: codes of 3 bits
        + [0x02, 0x44, 0x01]         // one sub-block of 2 bytes: clear (4), pixel 0, end (5), packed LSB first
        + [0x00]                     // no more sub-blocks
        + [0x3B]                     // trailer
}
