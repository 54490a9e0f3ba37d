// The platform seam's C half: see include/CSystem.h for the contract of each function.
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "CSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>

int csys_poller_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static uint32_t to_epoll(uint32_t interest) {
    uint32_t e = 0;
    if (interest & CSYS_READABLE) e |= EPOLLIN | EPOLLRDHUP;
    if (interest & CSYS_WRITABLE) e |= EPOLLOUT;
    return e;
}

int csys_poller_add(int poller, int fd, uint32_t interest) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = to_epoll(interest);
    ev.data.fd = fd;
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &ev);
}

int csys_poller_modify(int poller, int fd, uint32_t interest) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = to_epoll(interest);
    ev.data.fd = fd;
    return epoll_ctl(poller, EPOLL_CTL_MOD, fd, &ev);
}

int csys_poller_remove(int poller, int fd) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    return epoll_ctl(poller, EPOLL_CTL_DEL, fd, &ev);
}

int csys_poller_wait(int poller, int32_t *fds, uint32_t *bits, int max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(poller, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        uint32_t e = events[i].events, b = 0;
        if (e & EPOLLIN) b |= CSYS_READABLE;
        if (e & EPOLLOUT) b |= CSYS_WRITABLE;
        if (e & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) b |= CSYS_HANGUP;
        fds[i] = events[i].data.fd;
        bits[i] = b;
    }
    return n;
}

int csys_waker_create(int *write_fd) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    *write_fd = fd;
    return fd;
}

void csys_waker_signal(int write_fd) {
    uint64_t one = 1;
    ssize_t r = write(write_fd, &one, sizeof one);
    (void)r;
}

void csys_waker_drain(int read_fd) {
    uint64_t value;
    ssize_t r = read(read_fd, &value, sizeof value);
    (void)r;
}

int csys_accept_nonblocking(int listen_fd) {
    return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#define CSYS_KEEPIDLE TCP_KEEPIDLE

#elif defined(__APPLE__)
#include <sys/event.h>
#include <sys/time.h>

int csys_poller_create(void) {
    int kq = kqueue();
    if (kq >= 0) fcntl(kq, F_SETFD, FD_CLOEXEC);
    return kq;
}

static int kq_apply(int poller, int fd, uint32_t interest, int removing) {
    struct kevent changes[2];
    EV_SET(&changes[0], fd, EVFILT_READ, (!removing && (interest & CSYS_READABLE)) ? EV_ADD | EV_ENABLE : EV_DELETE, 0, 0, NULL);
    EV_SET(&changes[1], fd, EVFILT_WRITE, (!removing && (interest & CSYS_WRITABLE)) ? EV_ADD | EV_ENABLE : EV_DELETE, 0, 0, NULL);
    for (int i = 0; i < 2; i++) {
        // Deleting a filter that was never added reports ENOENT; that is not an error here.
        if (kevent(poller, &changes[i], 1, NULL, 0, NULL) < 0 && errno != ENOENT) return -1;
    }
    return 0;
}

int csys_poller_add(int poller, int fd, uint32_t interest) { return kq_apply(poller, fd, interest, 0); }
int csys_poller_modify(int poller, int fd, uint32_t interest) { return kq_apply(poller, fd, interest, 0); }
int csys_poller_remove(int poller, int fd) { return kq_apply(poller, fd, 0, 1); }

int csys_poller_wait(int poller, int32_t *fds, uint32_t *bits, int max, int timeout_ms) {
    struct kevent events[256];
    if (max > 256) max = 256;
    struct timespec ts, *tsp = NULL;
    if (timeout_ms >= 0) { ts.tv_sec = timeout_ms / 1000; ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L; tsp = &ts; }
    int n = kevent(poller, NULL, 0, events, max, tsp);
    for (int i = 0; i < n; i++) {
        uint32_t b = 0;
        if (events[i].filter == EVFILT_READ) b |= CSYS_READABLE;
        if (events[i].filter == EVFILT_WRITE) b |= CSYS_WRITABLE;
        if (events[i].flags & (EV_EOF | EV_ERROR)) b |= CSYS_HANGUP;
        fds[i] = (int32_t)events[i].ident;
        bits[i] = b;
    }
    return n;
}

int csys_waker_create(int *write_fd) {
    int p[2];
    if (pipe(p) < 0) return -1;
    csys_set_nonblocking(p[0]);
    csys_set_nonblocking(p[1]);
    *write_fd = p[1];
    return p[0];
}

void csys_waker_signal(int write_fd) { char c = 1; ssize_t r = write(write_fd, &c, 1); (void)r; }
void csys_waker_drain(int read_fd) { char buf[64]; while (read(read_fd, buf, sizeof buf) > 0) {} }

int csys_accept_nonblocking(int listen_fd) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd >= 0) csys_set_nonblocking(fd);
    return fd;
}

#define CSYS_KEEPIDLE TCP_KEEPALIVE
#endif

int csys_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int csys_set_nodelay(int fd, int on) {
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

int csys_set_tcp_keepalive(int fd, int on, int idle_seconds) {
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0) return -1;
    if (on && idle_seconds > 0) {
        return setsockopt(fd, IPPROTO_TCP, CSYS_KEEPIDLE, &idle_seconds, sizeof idle_seconds);
    }
    return 0;
}

int csys_get_tcp_keepalive(int fd, int *on, int *idle_seconds) {
    socklen_t len = sizeof *on;
    if (getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, on, &len) < 0) return -1;
    len = sizeof *idle_seconds;
    return getsockopt(fd, IPPROTO_TCP, CSYS_KEEPIDLE, idle_seconds, &len);
}

int csys_set_linger_zero(int fd) {
    struct linger l;
    l.l_onoff = 1;
    l.l_linger = 0;
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

int csys_socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
    return err;
}

void csys_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

static volatile sig_atomic_t interrupt_count = 0;
static volatile int interrupt_waker = -1;

static void on_interrupt(int sig) {
    (void)sig;
    interrupt_count++;
    if (interrupt_waker >= 0) csys_waker_signal(interrupt_waker);
}

void csys_install_interrupt_waker(int waker_write_fd) {
    interrupt_waker = waker_write_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int csys_interrupt_count(void) { return interrupt_count; }
