import HTTP1
import Testing
@testable import Wire

/// `/page/<n>`: the page a real browser loads, and its `n` images.
@Suite("/page/<n>: a page of n sub-resources for a browser")
struct PageRouteTests {
    /// The `src` of every `<img>` in `html`, in order.
    static func imageSources(_ html: String) -> [String] {
        var sources: [String] = []
        var rest = html[...]
        while let start = rest.range(of: #"<img src=""#) {
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            sources.append(String(after[..<end]))
            rest = after[end...]
        }
        return sources
    }

    static func route(_ target: String, method: String = "GET") -> RouteResponse {
        ServerRoutes.respond(to: HTTPRequestHead(method: method, target: target, version: .http1_1), connection: 1, requestIndex: 1)
    }

    @Test("the page is HTML, not cached, and names n distinct same-origin resources, each of which the server answers")
    func pageNamesItsResources() throws {
        guard case .complete(let status, let headers, let body, let mustClose) = Self.route("/page/20") else {
            Issue.record("the page is not a complete response")
            return
        }
        #expect(status == 200 && !mustClose)
        #expect(headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(headers["Cache-Control"] == "no-store")
        let sources = Self.imageSources(String(decoding: body, as: UTF8.self))
        #expect(sources.count == 20)
        #expect(Set(sources).count == 20, "distinct URLs, so a browser fetches each one")
        #expect(sources.allSatisfy { $0.hasPrefix("/page/20/") }, "same origin: a path, no scheme or host")
        #expect(sources.first == "/page/20/1" && sources.last == "/page/20/20")
        for source in sources {
            guard case .complete(200, let imageHeaders, let image, false) = Self.route(source) else {
                Issue.record("\(source) is not answered 200 at once")
                continue
            }
            #expect(imageHeaders["Content-Type"] == "image/gif")
            #expect(image == ServerRoutes.pixelGIF)
        }
    }

    @Test("?delay= is passed on to every resource, and each resource waits that long; the page itself does not")
    func delayGoesToTheResources() {
        guard case .complete(200, _, let body, _) = Self.route("/page/3?delay=200ms") else {
            Issue.record("the page with a delay is not answered at once")
            return
        }
        let sources = Self.imageSources(String(decoding: body, as: UTF8.self))
        #expect(sources == ["/page/3/1?delay=200ms", "/page/3/2?delay=200ms", "/page/3/3?delay=200ms"])
        guard case .delayed(let ms, 200, let headers, let image) = Self.route(sources[1]) else {
            Issue.record("a resource with a delay is not delayed")
            return
        }
        #expect(ms == 200 && headers["Content-Type"] == "image/gif" && image == ServerRoutes.pixelGIF)
        // The other spellings of a duration.
        for (spelling, expected) in [("1.5s", 1500), ("250", 250), ("0ms", 0), ("60s", 60_000)] {
            guard case .complete(200, _, let page, _) = Self.route("/page/1?delay=\(spelling)") else {
                Issue.record("delay=\(spelling) was refused")
                continue
            }
            let source = Self.imageSources(String(decoding: page, as: UTF8.self))
            #expect(source == [expected == 0 ? "/page/1/1" : "/page/1/1?delay=\(expected)ms"], "delay=\(spelling)")
        }
    }

    @Test("a bad size, resource number or delay is 400 or 404 with the reason; HEAD and OPTIONS are served")
    func refusals() {
        func error(_ target: String) -> (Int, String)? {
            guard case .complete(let status, _, let body, _) = Self.route(target) else { return nil }
            return (status, String(decoding: body, as: UTF8.self))
        }
        #expect(error("/page/0")?.0 == 400)
        #expect(error("/page/0")?.1.contains("1...500") == true)
        #expect(error("/page/501")?.0 == 400)
        #expect(error("/page/abc")?.0 == 400)
        #expect(error("/page/-3")?.0 == 400)
        #expect(error("/page/5/6")?.0 == 404)
        #expect(error("/page/5/6")?.1.contains("1...5") == true)
        #expect(error("/page/5/0")?.0 == 404)
        for delay in ["abc", "61s", "-5ms", "", "1e3", "ms"] {
            #expect(error("/page/5?delay=\(delay)")?.0 == 400, "delay=\(delay)")
            #expect(error("/page/5/1?delay=\(delay)")?.0 == 400, "delay=\(delay) on a resource")
        }
        #expect(error("/page")?.0 == 404)
        #expect(error("/page/5/1/2")?.0 == 404)
        guard case .complete(204, let allow, _, _) = Self.route("/page/5", method: "OPTIONS") else {
            Issue.record("OPTIONS /page/5 is not 204")
            return
        }
        #expect(allow["Allow"] == ServerRoutes.allowForRoutes)
        guard case .complete(405, _, _, _) = Self.route("/page/5", method: "DELETE") else {
            Issue.record("DELETE /page/5 is not 405")
            return
        }
    }

    @Test("the image is a well-formed 1×1 GIF89a: header, screen size, colour table, one image, trailer")
    func gifIsWellFormed() {
        let gif = ServerRoutes.pixelGIF
        #expect(Array(gif.prefix(6)) == Array("GIF89a".utf8))
        #expect(gif[6] == 1 && gif[7] == 0 && gif[8] == 1 && gif[9] == 0)
        let tableSize = 3 << (Int(gif[10] & 0x07) + 1)   // 2^(n+1) entries of 3 bytes
        #expect(gif[10] & 0x80 != 0 && tableSize == 6)
        let descriptor = 13 + tableSize
        #expect(gif[descriptor] == 0x2C)   // image separator
        let data = descriptor + 10
        #expect(gif[data] == 2)            // LZW minimum code size
        let blockLength = Int(gif[data + 1])
        #expect(gif[data + 2 + blockLength] == 0)   // block terminator
        #expect(gif.last == 0x3B && gif.count == data + 2 + blockLength + 2)
    }

    @Test("over a real socket: the page, then a delayed resource on the same keep-alive connection, after its delay")
    func overLoopback() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/page/2?delay=30ms"))
        h.wait("the page") { ServerHarness.responses(c.received).count == 1 }
        let page = ServerHarness.responses(c.received)[0]
        #expect(page.head.status == 200)
        let sources = Self.imageSources(page.body)
        #expect(sources == ["/page/2/1?delay=30ms", "/page/2/2?delay=30ms"])
        let asked = h.loop.now
        c.send(get(sources[0]))
        h.wait("the image") { ServerHarness.responses(c.received).count == 2 }
        let answeredMs = Double(h.loop.now - asked) / 1e6
        let image = ServerHarness.responses(c.received)[1]
        #expect(image.head.status == 200 && image.head.headers["Content-Type"] == "image/gif")
        #expect(answeredMs >= 30, "the server waited the delay before answering (\(answeredMs) ms)")
        #expect(c.isOpen, "the connection stays open for the next resource")
    }
}
