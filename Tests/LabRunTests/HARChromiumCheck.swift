import Foundation

/// What Chromium's DevTools HAR importer needs to take a file (devtools-frontend,
/// front_end/models/har/HARFormat.ts and Importer.ts, read for this check): each part it reads is
/// built by a constructor that throws when the part is not an object, or when a number it needs
/// casts to NaN, or when a date does not parse; those throws reject the whole file. Stricter than the
/// importer where JavaScript would cast (a numeric string would pass there; here numbers must be
/// numbers). Also what the Network panel needs to show reuse: `_connectionId` on every entry (the
/// importer's Connection ID; it reads `connection` as the remote port).
extension HARCheck {
    static func validateChromium(_ text: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Failure(description: "Chromium: the root is an object")
        }
        let log = try object(root["log"], "Chromium: log")
        _ = try object(log["creator"], "Chromium: log.creator")
        if let pages = log["pages"] as? [Any] {
            for (i, page) in pages.enumerated() {
                let p = try object(page, "Chromium: log.pages[\(i)]")
                try date(p["startedDateTime"], "Chromium: log.pages[\(i)].startedDateTime")
                _ = try object(p["pageTimings"], "Chromium: log.pages[\(i)].pageTimings")
            }
        }
        guard let entries = log["entries"] as? [Any] else { throw Failure(description: "Chromium: log.entries is an array") }
        for (i, value) in entries.enumerated() {
            let at = "Chromium: entries[\(i)]"
            let e = try object(value, at)
            try date(e["startedDateTime"], "\(at).startedDateTime")
            _ = try number(e["time"], "\(at).time")
            let request = try object(e["request"], "\(at).request")
            for key in ["headersSize", "bodySize"] { _ = try number(request[key], "\(at).request.\(key)") }
            for key in ["cookies", "headers", "queryString"] { try objects(request[key], "\(at).request.\(key)") }
            if let postData = request["postData"] { _ = try object(postData, "\(at).request.postData") }
            let response = try object(e["response"], "\(at).response")
            for key in ["status", "headersSize", "bodySize"] { _ = try number(response[key], "\(at).response.\(key)") }
            for key in ["cookies", "headers"] { try objects(response[key], "\(at).response.\(key)") }
            let content = try object(response["content"], "\(at).response.content")
            _ = try number(content["size"], "\(at).response.content.size")
            if let compression = content["compression"] { _ = try number(compression, "\(at).response.content.compression") }
            let timings = try object(e["timings"], "\(at).timings")
            for key in ["send", "wait", "receive"] { _ = try number(timings[key], "\(at).timings.\(key)") }
            for key in ["blocked", "dns", "connect", "ssl"] where timings[key] != nil { _ = try number(timings[key], "\(at).timings.\(key)") }
            for key in ["cookies"] {
                for (j, cookie) in ((request[key] as? [[String: Any]]) ?? []).enumerated() where cookie["expires"] != nil {
                    try date(cookie["expires"], "\(at).request.cookies[\(j)].expires")
                }
            }
            // What the Network panel shows as Connection ID, and the same id as the spec's `connection`.
            let connectionID = try string(e["_connectionId"], "\(at)._connectionId")
            if let connection = e["connection"] as? String { try need(connection == connectionID, "\(at)._connectionId equals connection") }
        }
    }

    /// An array whose items are objects (the importer builds each with a constructor that requires one).
    static func objects(_ value: Any?, _ what: String) throws {
        guard let value else { return }   // absent: the importer takes []
        guard let items = value as? [Any] else { return }   // not an array: the importer takes [] too
        for (i, item) in items.enumerated() { _ = try object(item, "\(what)[\(i)]") }
    }

    /// A date JavaScript's `new Date(text)` parses: ISO 8601 with a time and a zone, as HAR asks.
    static func date(_ value: Any?, _ what: String) throws {
        let text = try string(value, what)
        try need(text.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) != nil,
                 "\(what) is a date (ISO 8601): \(text)")
    }
}
