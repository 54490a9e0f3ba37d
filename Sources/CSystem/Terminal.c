// The stepper's terminal seam, C half: see include/CSystemTerminal.h for each contract.
#include "CSystemTerminal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <termios.h>

#if defined(__APPLE__)
#include <util.h>
#else
#include <pty.h>
#endif

static volatile sig_atomic_t signal_pipe_fd = -1;

static void on_signal(int signo) {
    int saved = errno;
    int fd = signal_pipe_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)signo;
        ssize_t r = write(fd, &byte, 1);   // dropped when the pipe is full: the reader is behind anyway
        (void)r;
    }
    errno = saved;
}

int csys_signal_pipe_install(int write_fd, const int *signals, int count) {
    signal_pipe_fd = write_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &sa, NULL) != 0) return -1;
    }
    return 0;
}

void csys_signal_pipe_uninstall(const int *signals, int count) {
    for (int i = 0; i < count; i++) signal(signals[i], SIG_DFL);
    signal_pipe_fd = -1;
}

pid_t csys_spawn_in_pty(const char *path, char *const argv[], char *const envp[],
                        unsigned short rows, unsigned short cols, int *master_fd) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    size.ws_row = rows;
    size.ws_col = cols;
    int master = -1;
    pid_t pid = forkpty(&master, NULL, NULL, &size);
    if (pid < 0) return -1;
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        execve(path, argv, envp);
        _exit(127);
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    *master_fd = master;
    return pid;
}
