// CSystem: the C half of WireLab's platform seam.
//
// Swift's Glibc module does not import <sys/epoll.h>, accept4(2) or the TCP_* socket options, so this
// header exposes the few calls the event loop and sockets need, under neutral names. Linux uses
// epoll; Darwin gets the same functions over kqueue so the Swift side never branches on the platform.
#ifndef WIRELAB_CSYSTEM_H
#define WIRELAB_CSYSTEM_H

#include <stdint.h>

/// Readiness bits reported by `csys_poller_wait` and accepted by `csys_poller_add/modify`.
enum {
    CSYS_READABLE = 1,
    CSYS_WRITABLE = 2,
    CSYS_HANGUP = 4,   // peer closed or the socket errored; read to find out which
};

/// Creates a poller (an epoll or kqueue descriptor), close-on-exec. Returns -1 and sets errno on failure.
int csys_poller_create(void);
/// Starts watching `fd` for the `interest` bits (level-triggered). Returns 0 or -1/errno.
int csys_poller_add(int poller, int fd, uint32_t interest);
/// Changes the interest bits of a watched `fd`. Returns 0 or -1/errno.
int csys_poller_modify(int poller, int fd, uint32_t interest);
/// Stops watching `fd`. Returns 0 or -1/errno.
int csys_poller_remove(int poller, int fd);
/// Waits up to `timeout_ms` (-1 = forever) and fills `fds`/`bits` with up to `max` ready descriptors.
/// Returns how many, 0 on timeout, -1/errno on failure (EINTR included).
int csys_poller_wait(int poller, int32_t *fds, uint32_t *bits, int max, int timeout_ms);

/// A descriptor another thread can poke to wake the poller (eventfd on Linux, a pipe on Darwin).
/// On Darwin `*write_fd` differs from the return value; on Linux they are the same descriptor.
int csys_waker_create(int *write_fd);
/// Wakes the poller; safe from any thread and from a signal handler.
void csys_waker_signal(int write_fd);
/// Empties the waker after it fired.
void csys_waker_drain(int read_fd);

/// accept(2) that returns a non-blocking, close-on-exec socket (accept4 where it exists).
int csys_accept_nonblocking(int listen_fd);
/// Makes `fd` non-blocking and close-on-exec. Returns 0 or -1/errno.
int csys_set_nonblocking(int fd);
/// TCP_NODELAY on or off. Returns 0 or -1/errno.
int csys_set_nodelay(int fd, int on);
/// SO_KEEPALIVE on/off, and when `idle_seconds > 0` the idle time before the first probe
/// (TCP_KEEPIDLE on Linux, TCP_KEEPALIVE on Darwin). Returns 0 or -1/errno.
int csys_set_tcp_keepalive(int fd, int on, int idle_seconds);
/// Reads back SO_KEEPALIVE (0/1) into *on and the idle seconds into *idle_seconds. Returns 0 or -1/errno.
int csys_get_tcp_keepalive(int fd, int *on, int *idle_seconds);
/// SO_LINGER with a zero timeout: close(2) then sends RST instead of FIN. For lessons about resets.
int csys_set_linger_zero(int fd);
/// The pending socket error (SO_ERROR), e.g. after a non-blocking connect. Returns errno value or 0.
int csys_socket_error(int fd);
/// Ignores SIGPIPE process-wide, so a write to a closed socket returns EPIPE instead of killing us.
void csys_ignore_sigpipe(void);
/// Installs a SIGINT/SIGTERM handler that signals `waker_write_fd` and counts the signals.
void csys_install_interrupt_waker(int waker_write_fd);
/// How many SIGINT/SIGTERM signals arrived since start.
int csys_interrupt_count(void);

#include "CSystemTerminal.h"

#endif
