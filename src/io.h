/* The one I/O layer: opening and checking the pipe, EINTR- and
 * EAGAIN-safe reads and writes with deadlines, locks, draining, signals.
 * Subcommands never call read()/write() on the pipe themselves.
 * fifomsg(1), DELIVERY, says what each piece guarantees. */
#ifndef IO_H
#define IO_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Results besides byte counts. */
enum { IO_ERR = -1, IO_TIMEOUT = -2, IO_STOP = -3, IO_GONE = -4 };

/* While waiting, also watch fd (our standard output): if it is a pipe
 * whose reader has left, waits end with IO_GONE, so `listen | head -1`
 * ends when head does, not at the next message.  -1: watch nothing. */
void io_watch(int fd);

/* Set to the signal number by SIGINT, SIGTERM or SIGHUP; io_stops counts
 * them, so a second signal can cut short what the first let finish. */
extern volatile sig_atomic_t io_stop, io_stops;

void io_signals(void);		/* install handlers; ignore SIGPIPE */

/* pipe2(fd, flags) for O_CLOEXEC and O_NONBLOCK, also where the system
 * has no pipe2(). */
int io_pipe(int fd[2], int flags);
void io_die_by_signal(void);	/* exit as io_stop's default action would */

/* Monotonic milliseconds, and a deadline "ms from now" (-1: none). */
int64_t io_now(void);
int64_t io_deadline(int64_t ms);

/* Open PIPE without blocking, refuse anything but a FIFO before a byte
 * moves, and leave the descriptor non-blocking and close-on-exec.
 * rw: open read-write, which on Linux never blocks and keeps the pipe
 * from reporting EOF (and from spinning on POLLHUP) when writers leave.
 * Prints its own error; returns -1 on failure. */
int io_open_pipe(const char *path, int rw, int follow);

/* mkfifo() with exactly this mode, whatever the umask (which is cleared
 * for the call).  0, or -1 with errno set. */
int io_mkfifo(const char *path, mode_t mode);

/* Wait for fd to be ready: 1 ready (or hung up), 0 deadline passed,
 * IO_STOP signalled, IO_GONE (see io_watch), IO_ERR. */
int io_wait(int fd, short events, int64_t deadline, int finish);
/* The same for p[0..n) (their revents say which are ready); p has room
 * for n + 2 entries: the last two are the wait's own. */
int io_poll(struct pollfd *p, int n, int64_t deadline, int finish);

/* Read up to n bytes, waiting until deadline (-1: none).  idle(ctx) runs
 * before each wait, so buffered output goes out before the process
 * sleeps; if it returns nonzero, so does io_read (IO_GONE).  With finish
 * set, a first stop signal does not interrupt (a frame is being
 * completed).  With empty set the pipe is expected to be empty (the last
 * read was short), so it waits before reading.  Returns bytes read, 0 at
 * end of file (only once no writer is left: a read-only FIFO that never
 * had a writer is waited on), or IO_ERR/IO_TIMEOUT/IO_STOP. */
ssize_t io_read(int fd, void *buf, size_t n, int64_t deadline, int finish,
		int empty, int (*idle)(void *), void *ctx);

/* Read standard input (any kind of file): bytes read, 0 at its end, or
 * IO_ERR/IO_STOP (with finish, only a second signal stops it). */
ssize_t io_read_in(int fd, void *buf, size_t n, int finish);

/* Write all n bytes.  Waits for room as long as the reader takes
 * something at least every timeout_ms (-1: forever).  With finish set, a
 * first stop signal does not interrupt: a frame is completed.
 * *done (if not NULL) gets the bytes written.  Returns 0 or an IO_ code. */
int io_write_all(int fd, const void *buf, size_t n, int64_t timeout_ms,
		 int finish, size_t *done);

/* Locks.  Readers take an exclusive flock() on the FIFO, writers an OFD
 * (or classic) fcntl lock on byte 0: shared for a write of at most
 * PIPE_BUF bytes, exclusive for a frame that needs several writes.  On
 * Linux flock and fcntl locks are independent, so a reader blocked in
 * read() never holds up writers.  Where a system refuses locks on FIFOs
 * the calls succeed without locking (a documented weaker guarantee).
 * Return 0 or an IO_ code. */
int io_lock_reader(int fd, int64_t deadline);
void io_unlock_reader(int fd);
int io_lock_writer(int fd, int exclusive, int64_t deadline);
void io_unlock_writer(int fd);

/* Bytes queued in the pipe (FIONREAD), or -1. */
long io_queued(int fd);
/* Wait until the pipe is empty: a reader has taken everything.  Gives up
 * when nothing is taken for timeout_ms (-1: never); each time a reader
 * takes something the timeout starts over.  Sleeps while nothing moves:
 * it notices the pipe empty at once on Linux (inotify sees each read),
 * within 250 ms elsewhere.  Returns 0 or an IO_ code (IO_GONE: a pipe
 * whose readers have all left); *left gets the bytes still queued. */
int io_drain(int fd, int64_t timeout_ms, long *left);

/* PIPE_BUF for this pipe: the largest write that is never interleaved. */
size_t io_pipe_buf(int fd);

#endif
