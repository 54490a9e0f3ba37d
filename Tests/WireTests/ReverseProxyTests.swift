import HTTP1
import Pooling
import Testing
@testable import Wire

@Suite("Reverse proxy: two pools, hop-by-hop fields, upstream failures")
struct ReverseProxyTests {
    @Test("requests through the proxy reuse one upstream connection; hop-by-hop fields are not forwarded")
    func forwarding() throws {
        let h = try ServerHarness()
        let upstream = Agent(loop: h.loop, name: "up", configuration: agentConfig { $0.pool.maxSockets = 1 })
        let proxy = try ReverseProxy(loop: h.loop, upstream: upstream, upstreamOrigin: HTTPOrigin(host: "127.0.0.1", port: h.server.port))
        let client = Agent(loop: h.loop, name: "client")
        let viaProxy = HTTPOrigin(host: "127.0.0.1", port: proxy.port)
        var headers = HTTPHeaders()
        headers.add(name: "Connection", value: "keep-alive, X-Secret")
        headers.add(name: "X-Secret", value: "hop")
        headers.add(name: "X-Kept", value: "end-to-end")
        let results = sendSequentially(client, Array(repeating: AgentRequest(origin: viaProxy, target: "/echo", headers: headers), count: 3))
        #expect(results.map(\.status) == [200, 200, 200])
        let echoed = results[0].bodyText
        #expect(echoed.contains(#"["X-Kept","end-to-end"]"#))
        #expect(!echoed.contains("X-Secret"))
        #expect(echoed.contains(#"["Via","1.1 wirelab-proxy"]"#))
        #expect(results[0].head?.headers["Via"] == "1.1 wirelab-proxy")
        #expect(h.server.stats.accepted == 1)          // proxy → upstream: one kept-alive connection
        #expect(proxy.server.stats.accepted == 1)      // client → proxy: one kept-alive connection
        #expect(upstream.stats.reused == 2)
    }

    @Test("closesUpstream sends Connection: close upstream: a new upstream connection per request")
    func closesUpstream() throws {
        let h = try ServerHarness()
        let upstream = Agent(loop: h.loop, name: "up")
        let proxy = try ReverseProxy(loop: h.loop, upstream: upstream, upstreamOrigin: HTTPOrigin(host: "127.0.0.1", port: h.server.port),
                                     closesUpstream: true)
        let client = Agent(loop: h.loop, name: "client")
        _ = sendSequentially(client, Array(repeating: AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: proxy.port)), count: 3))
        #expect(h.server.stats.accepted == 3)
        #expect(proxy.server.stats.accepted == 1)
    }

    @Test("an upstream that refuses gives 502 with the reason")
    func badGateway() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let (fd, deadPort) = try Platform.listenLoopback(port: 0)
        Platform.close(fd)
        let upstream = Agent(loop: loop, name: "up")
        let proxy = try ReverseProxy(loop: loop, upstream: upstream, upstreamOrigin: HTTPOrigin(host: "127.0.0.1", port: deadPort))
        let client = Agent(loop: loop, name: "client")
        let results = sendSequentially(client, [AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: proxy.port))])
        #expect(results.first?.status == 502)
        #expect(results.first?.bodyText.contains("connection refused") == true)
        #expect(proxy.upstreamFailures == 1)
        proxy.close()
    }
}
