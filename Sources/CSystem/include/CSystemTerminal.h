// CSystemTerminal: the C half of the stepper's terminal seam: a signal handler that only writes a
// byte to a pipe (the self-pipe trick), and starting a program on a new pseudo-terminal for the
// end-to-end test. Both need code that runs where Swift must not (a signal handler, a forked child).
#ifndef WIRELAB_CSYSTEM_TERMINAL_H
#define WIRELAB_CSYSTEM_TERMINAL_H

#include <sys/types.h>

/// Installs one handler for each of `signals[0..<count]` that writes the signal's number, as one
/// byte, to `write_fd` and does nothing else (async-signal-safe; errno is preserved). Make
/// `write_fd` non-blocking: when the pipe is full the byte is dropped, never waited for.
/// Returns 0, or -1/errno when a sigaction fails.
int csys_signal_pipe_install(int write_fd, const int *signals, int count);

/// Puts `signals[0..<count]` back to their default action and stops writing to the pipe.
void csys_signal_pipe_uninstall(const int *signals, int count);

/// Starts `path` with `argv` and `envp` (NULL-terminated) on a new pseudo-terminal of `rows` x
/// `cols` (forkpty): the child's stdin, stdout and stderr are the terminal, which is its
/// controlling terminal. Stores the master side, close-on-exec, in `*master_fd`. Returns the
/// child's pid, or -1/errno. When exec fails the child exits with status 127.
pid_t csys_spawn_in_pty(const char *path, char *const argv[], char *const envp[],
                        unsigned short rows, unsigned short cols, int *master_fd);

#endif
