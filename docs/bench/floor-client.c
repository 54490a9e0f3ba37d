// floor-client: the least a sequential keep-alive HTTP/1.1 client can do per request, to measure
// what the system calls alone allow. Per request: one write, one epoll_wait, one read (more only
// if a response arrives in pieces). No parsing after the first response, no timers, no pool.
//
//   floor-client PORT REQUESTS        prints requests per second on stdout
//
// The first response is read up to its end by its Content-Length; every later response is taken
// to be exactly as long (the benchmark's server answers `GET /` with the same bytes every time),
// so the client counts bytes instead of parsing. When the server closes the connection (nginx does
// after keepalive_requests, 1000 by default), the client opens a new one and asks again. It
// connects to 127.0.0.1 only, and gives up after 5 s without an answer.
//
// Built by table.sh with the machine's C compiler:  cc -O2 -o floor-client floor-client.c
#define _GNU_SOURCE   // strcasestr
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

static int epoll_fd = -1, sock = -1;
static struct sockaddr_in address;

static void die(const char *what) {
    fprintf(stderr, "floor-client: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// A new blocking connect, then non-blocking with TCP_NODELAY, as the agent's sockets are.
static void open_connection(void) {
    if (sock >= 0) close(sock);
    sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0) die("socket");
    if (connect(sock, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
    int on = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = sock};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, sock, &event) != 0) die("epoll_ctl");
}

// Reads until `want` bytes of the answer are in (`want` < 0: until the first response's head and
// Content-Length body are in, and returns its length). Returns 0 if the server closed the connection
// before anything of the answer arrived, and -1 if it closed it after part of one: the last response
// on a connection says `Connection: close` where the others say `keep-alive`, so it is shorter.
static long read_response(char *buffer, long capacity, long want) {
    long have = 0;
    for (;;) {
        // Wait first: right after the write the answer is never there yet, so reading first would
        // only add a read that fails with EAGAIN.
        struct epoll_event event;
        int ready = epoll_wait(epoll_fd, &event, 1, 5000);
        if (ready == 0) { errno = 0; die("no answer within 5 s"); }
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        ssize_t n = read(sock, buffer + have, (size_t)(capacity - have));
        if (n == 0) return have == 0 ? 0 : -1;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            if (errno == ECONNRESET) return have == 0 ? 0 : -1;
            die("read");
        }
        have += n;
        if (want >= 0 && have >= want) return have;
        if (want < 0) {
            buffer[have < capacity ? have : capacity - 1] = '\0';
            char *end = strstr(buffer, "\r\n\r\n");
            char *field = strcasestr(buffer, "\r\ncontent-length:");
            if (end && field && field < end) {
                long total = (end + 4 - buffer) + strtol(field + 17, NULL, 10);
                if (have >= total) return total;
            }
        }
        if (have >= capacity) { errno = 0; die("response larger than the buffer"); }
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: floor-client PORT REQUESTS\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long requests = atol(argv[2]);
    if (port <= 0 || port > 65535 || requests <= 0) {
        fprintf(stderr, "floor-client: PORT must be 1-65535 and REQUESTS positive\n");
        return 2;
    }
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    signal(SIGPIPE, SIG_IGN);   // a write to a connection the server closed fails with EPIPE instead
    epoll_fd = epoll_create1(0);
    if (epoll_fd < 0) die("epoll_create1");
    open_connection();

    static char buffer[65536];
    long response_length = -1;
    long long start = now_ns();
    for (long done = 0; done < requests;) {
        if (write(sock, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) {
            // The server closed the connection between two requests (EPIPE or a reset): reopen.
            if (errno == EPIPE || errno == ECONNRESET) { open_connection(); continue; }
            die("write");
        }
        long got = read_response(buffer, sizeof buffer, response_length);
        if (got == 0) { open_connection(); continue; }   // closed after the previous response
        if (got < 0) {                                   // the last answer on this connection
            if (response_length < 0) { errno = 0; die("the first response was cut off"); }
            open_connection();
        } else if (response_length < 0) {
            response_length = got;
        }
        done++;
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    printf("%.0f\n", (double)requests / seconds);
    return 0;
}
