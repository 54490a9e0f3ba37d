import Testing
@testable import LabRun

@Suite("TIME_WAIT and ephemeral ports, from the kernel's tables")
struct KernelTCPTableTests {
    // Port 0x1F90 is 8080, 0x0050 is 80; state 06 is TIME_WAIT, 01 ESTABLISHED, 0A LISTEN.
    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1
           1: 0100007F:1F90 0100007F:D2A4 06 00000000:00000000 03:000016A3 00000000     0        0 0 3
           2: 0100007F:D2A6 0100007F:1F90 06 00000000:00000000 03:000016A3 00000000     0        0 0 3
           3: 0100007F:D2A8 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4243 1
           4: 0100007F:0050 0100007F:D2AA 06 00000000:00000000 03:000016A3 00000000     0        0 0 3
        """
    static let table6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue
           0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:E001 06 00000000:00000000
        """

    @Test("rows in TIME_WAIT with either end on the port count; other states and ports do not")
    func counts() {
        #expect(KernelTCPTable.timeWaitCount(in: Self.table, onPorts: [8080]) == 2)
        #expect(KernelTCPTable.timeWaitCount(in: Self.table, onPorts: [80]) == 1)
        #expect(KernelTCPTable.timeWaitCount(in: Self.table, onPorts: [8080, 80]) == 3)
        #expect(KernelTCPTable.timeWaitCount(in: Self.table, onPorts: [443]) == 0)
        #expect(KernelTCPTable.timeWaitCount(in: Self.table6, onPorts: [8080]) == 1)
    }

    @Test("localOnly counts only the entries whose local end is on the port")
    func localEnd() {
        #expect(KernelTCPTable.timeWaitCount(in: Self.table, onPorts: [8080], localOnly: true) == 1)
    }

    @Test("a header alone, an empty table and broken rows count nothing")
    func broken() {
        #expect(KernelTCPTable.timeWaitCount(in: "", onPorts: [8080]) == 0)
        #expect(KernelTCPTable.timeWaitCount(in: "  sl  local_address rem_address   st\n", onPorts: [8080]) == 0)
        #expect(KernelTCPTable.timeWaitCount(in: "h\n 1: 0100007F:XYZW 0100007F:1F9 06\n 2: 06\n", onPorts: [8080]) == 0)
    }

    @Test("the ephemeral range's size, or nil for text that is not two ordered numbers")
    func portRange() {
        #expect(KernelTCPTable.portCount(inRange: "32768\t60999\n") == 28232)
        #expect(KernelTCPTable.portCount(inRange: "1024 1024") == 1)
        #expect(KernelTCPTable.portCount(inRange: "60999\t32768\n") == nil)
        #expect(KernelTCPTable.portCount(inRange: "") == nil)
    }
}

@Suite("server.timeWait counts a lab server's closed connections live", .serialized)
struct TimeWaitLiveTests {
    @Test("Connection: close leaves one TIME_WAIT per request at the server's end, keep-alive none, a client that closes first one at its own end")
    func liveCounts() throws {
        #if os(Linux)
        let outcome = run("""
            server closing keepAliveTimeout=5s
            server keeping keepAliveTimeout=5s
            server raw keepAliveTimeout=5s
            agent oneEach keepAlive=false
            agent reuser keepAlive=true maxSockets=1
            repeat 5 { oneEach GET / to=closing }
            repeat 5 { reuser GET / to=keeping }
            repeat 3 {
              open c to=raw
              send c "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
              let head = recv c until="\\r\\n\\r\\n"
              close c
            }
            let settled = false
            repeat 200 {
              if not settled {
                if closing.timeWait >= 5 and raw.timeWait >= 3 { settled = true } else { sleep 10ms }
              }
            }
            print "{closing.timeWait} {closing.timeWaitAtServer} {keeping.timeWait} {raw.timeWait} {raw.timeWaitAtServer}"
            print process.ephemeralPorts > 0
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["5 5 0 3 0", "true"])
        #endif
    }
}
