#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET on each, reads its response, and
keeps every connection open and idle. Prints "ready N" when all are open, then waits until stdin
closes (or --hold seconds pass) and closes them. Standard library only.

With --h2 each connection speaks HTTP/2 with prior knowledge instead (RFC 9113 §3.3): the client
preface, an empty SETTINGS, the ACK of the server's SETTINGS, and one GET / on stream 1 read to its
END_STREAM; then it stays open and idle like the others.

Usage: idle_clients.py PORT N [--hold SECONDS] [--h2]
"""
import resource
import socket
import sys


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the response headers")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed in the middle of the body")
        body += chunk


def read_frame(sock, buffer):
    """One frame (type, flags, stream, payload) from the socket, with buffer holding what was read ahead."""
    while len(buffer) < 9 or len(buffer) < 9 + int.from_bytes(buffer[0:3], "big"):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a whole frame")
        buffer += chunk
    length = int.from_bytes(buffer[0:3], "big")
    kind, flags = buffer[3], buffer[4]
    stream = int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
    payload = bytes(buffer[9:9 + length])
    del buffer[:9 + length]
    return kind, flags, stream, payload


def frame(kind, flags, stream, payload=b""):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def h2_exchange(sock, port):
    """Preface, SETTINGS, then GET / on stream 1 until its END_STREAM; SETTINGS are acknowledged."""
    authority = b"127.0.0.1:%d" % port
    # HPACK: indexed :method GET (2), :scheme http (6), :path / (4); :authority as a literal
    # without indexing whose name is static index 1.
    block = bytes([0x82, 0x86, 0x84, 0x01, len(authority)]) + authority
    sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0) + frame(1, 0x5, 1, block))
    buffer = bytearray()
    while True:
        kind, flags, stream, _ = read_frame(sock, buffer)
        if kind == 4 and not flags & 0x1:
            sock.sendall(frame(4, 0x1, 0))
        if kind == 7:
            raise ConnectionError("GOAWAY before the response")
        if stream == 1 and kind in (0, 1) and flags & 0x1:
            return


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    hold = float(sys.argv[sys.argv.index("--hold") + 1]) if "--hold" in sys.argv else 120.0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 100), hard))
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n\r\n" % port
    h2 = "--h2" in sys.argv
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if h2:
            h2_exchange(sock, port)
        else:
            sock.sendall(request)
            read_response(sock)
        sockets.append(sock)
    print("ready", len(sockets), flush=True)
    import select
    select.select([sys.stdin], [], [], hold)
    for sock in sockets:
        sock.close()


if __name__ == "__main__":
    main()
