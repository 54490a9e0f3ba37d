import HTTP1
import LabScript
import Wire

// The `proxy` statement: a reverse proxy in front of the embedded server, forwarding through one
// of the script's agents.

extension Interpreter {
    /// The server settings a proxy takes, parsed as the server's are (`applyServerSetting`).
    static let proxyServerKeys = serverKeys.filter { !["maxBodyBytes", "keepAliveHint", "closeSilentlyAfter", "dropReusedRequests", "h2Only"].contains($0) }

    /// `proxy NAME upstream=AGENT [closesUpstream=B] [server settings]`: starts (or replaces) it.
    func startProxy(_ name: String, _ settings: [Setting], _ scope: Scope, at: SourceLocation) throws(LabRuntimeError) {
        var upstream: AgentHandle?
        var closesUpstream = false
        var config = ServerConfiguration()
        for setting in settings {
            switch setting.key {
            case "upstream":
                let agentName = try settingWord(setting, scope)
                guard let handle = lab.agents[agentName] else { throw unknownAgent(agentName, at: setting.location) }
                upstream = handle
            case "closesUpstream":
                closesUpstream = try evaluate(setting.value, scope).isTruthy
            default:
                try applyServerSetting(setting, to: &config, scope, of: "proxy", keys: ["upstream", "closesUpstream"] + Self.proxyServerKeys)
            }
        }
        guard let upstream else {
            throw LabRuntimeError("a proxy needs its upstream agent: proxy \(name) upstream=AGENT", at: at)
        }
        lab.proxies[name]?.close()
        do {
            let proxy = try ReverseProxy(loop: lab.loop, upstream: upstream.agent,
                                         upstreamOrigin: HTTPOrigin(host: "127.0.0.1", port: lab.server.port),
                                         closesUpstream: closesUpstream, configuration: config)
            lab.proxies[name] = proxy
            // The requests the proxy forwards are the upstream agent's: the waterfall draws them
            // on its lanes (they are not the script's own requests, so `run` does not count them).
            let line = at.line
            proxy.onUpstreamResult = { [weak lab, weak upstream] result in
                guard let lab, let upstream else { return }
                lab.forwardedLog.append(RequestRecord(agent: upstream.name, result: result, line: line, generation: upstream.generation,
                                                      destination: lab.destination(of: result)))
            }
        } catch {
            throw LabRuntimeError("cannot start proxy \(name): \(error)", at: at)
        }
    }
}
