#include "compat.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
/* FIFOMSG_NO_INOTIFY: build the drain that other systems get. */
#if defined(__linux__) && !defined(FIFOMSG_NO_INOTIFY)
#define HAVE_INOTIFY 1
#include <sys/inotify.h>
#endif
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fifomsg.h"
#include "io.h"

volatile sig_atomic_t io_stop, io_stops;

/* Self-pipe: a stop signal also makes this readable, so a signal that
 * lands just before poll() still wakes it. */
static int wake[2] = { -1, -1 };
static int watched = -1;

void io_watch(int fd)
{
	watched = fd;
}

static void on_stop(int sig)
{
	int err = errno;

	io_stop = sig;
	io_stops++;
	if (wake[1] >= 0 && write(wake[1], "", 1) < 0) {
		/* Full: a wake-up is already pending. */
	}
	errno = err;
}

static void on_alarm(int sig)
{
	(void)sig;	/* Only here to interrupt a blocking lock call. */
}

int io_pipe(int fd[2], int flags)
{
#ifndef FIFOMSG_NO_PIPE2
	return pipe2(fd, flags);
#else
	/* As good as pipe2() here: we are single-threaded, so no fork() and
	 * exec can come between pipe() and FD_CLOEXEC. */
	if (pipe(fd) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fd[i], F_GETFL);

		if (fl < 0 || ((flags & O_CLOEXEC) &&
			       fcntl(fd[i], F_SETFD, FD_CLOEXEC) < 0) ||
		    ((flags & O_NONBLOCK) &&
		     fcntl(fd[i], F_SETFL, fl | O_NONBLOCK) < 0)) {
			int err = errno;

			close(fd[0]);
			close(fd[1]);
			errno = err;
			return -1;
		}
	}
	return 0;
#endif
}

void io_signals(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	if (wake[0] < 0 && io_pipe(wake, O_NONBLOCK | O_CLOEXEC) < 0)
		wake[0] = wake[1] = -1;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read() or lock returns EINTR, and the
	 * caller decides whether to finish a frame or stop. */
	sa.sa_handler = on_stop;
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
		sigaction(stops[i], &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	/* EPIPE is handled where it happens; dying of SIGPIPE could leave a
	 * half-written frame. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void io_die_by_signal(void)
{
	int sig = io_stop;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static int stopped(int finish)
{
	return io_stop && (!finish || io_stops > 1);
}

int64_t io_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t io_deadline(int64_t ms)
{
	return ms < 0 ? -1 : io_now() + ms;
}

static const char *kind(mode_t m)
{
	return S_ISREG(m) ? "a regular file" : S_ISDIR(m) ? "a directory" :
	       S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" :
	       S_ISLNK(m) ? "a symbolic link" : "not a FIFO";
}

/* rw opens the FIFO read-write: send always (no reader needed to open,
 * and what it wrote stays queued between readers), recv and listen unless
 * -e (no EOF and no POLLHUP spin between writers).  Linux defines this;
 * POSIX leaves it undefined.  The BSDs and macOS are known to do the same
 * (not tested here); a system that refused it fails here with its own
 * error, it does not misbehave quietly. */
int io_open_pipe(const char *path, int rw, int follow)
{
	int flags = (rw ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC |
		    O_NOCTTY | (follow ? 0 : O_NOFOLLOW);
	struct stat st;
	int fd, err;

	fd = open(path, flags);
	if (fd < 0) {
		err = errno;
		/* Name what is there instead: "Is a directory" or "No such
		 * device or address" (a socket) would leave users guessing. */
		if (err != ENOENT && err != EACCES && lstat(path, &st) == 0 &&
		    !S_ISFIFO(st.st_mode)) {
			if (S_ISLNK(st.st_mode))
				warnx_("%s: is a symbolic link (use --follow "
				       "to open what it points to)", path);
			else
				warnx_("%s: not a FIFO (it is %s)", path,
				       kind(st.st_mode));
			return -1;
		}
		errno = err;
		warn_("%s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		warn_("%s", path);
		close(fd);
		return -1;
	}
	if (!S_ISFIFO(st.st_mode)) {
		warnx_("%s: not a FIFO (it is %s)", path, kind(st.st_mode));
		close(fd);
		return -1;
	}
	return fd;
}

int io_mkfifo(const char *path, mode_t mode)
{
	mode_t old = umask(0);
	int r = mkfifo(path, mode), err = errno;

	umask(old);
	errno = err;
	return r;
}

int io_poll(struct pollfd *p, int n, int64_t deadline, int finish)
{
	char drain[64];
	int ms, r, i;

	for (;;) {
		if (stopped(finish))
			return IO_STOP;
		ms = -1;
		if (deadline >= 0) {
			/* Passed: look once more, without waiting. */
			int64_t left = deadline - io_now();
			ms = left <= 0 ? 0 : left > INT_MAX ? INT_MAX
							  : (int)left;
		}
		/* A negative fd is skipped by poll(). */
		p[n] = (struct pollfd){ wake[0], POLLIN, 0 };
		p[n + 1] = (struct pollfd){ watched, 0, 0 };
		r = poll(p, (nfds_t)n + 2, ms);
		if (r < 0 && errno != EINTR)
			return IO_ERR;
		if (r > 0 && p[n].revents)
			while (read(wake[0], drain, sizeof drain) > 0)
				;
		for (i = 0; r > 0 && i < n; i++)
			if (p[i].revents)
				return 1;
		/* POLLNVAL (closed): the next write reports that better. */
		if (r > 0 && (p[n + 1].revents & (POLLERR | POLLHUP)))
			return IO_GONE;
		if (r > 0 && p[n + 1].revents)
			watched = -1;
		if (r == 0 && ms == 0)
			return 0;
	}
}

int io_wait(int fd, short events, int64_t deadline, int finish)
{
	struct pollfd p[3] = { { fd, events, 0 } };

	return io_poll(p, 1, deadline, finish);
}

ssize_t io_read(int fd, void *buf, size_t n, int64_t deadline, int finish,
		int empty, int (*idle)(void *), void *ctx)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t k;
	int r;

	for (;; empty = 1) {
		/* Expecting nothing: poll first rather than pay for a read
		 * that fails with EAGAIN. */
		if (empty) {
			if (idle && idle(ctx))
				return IO_GONE;
			r = io_wait(fd, POLLIN, deadline, finish);
			if (r <= 0)
				return r == 0 ? IO_TIMEOUT : r;
		}
		k = read(fd, buf, n);
		if (k > 0)
			return k;
		if (k == 0) {
			struct stat st;

			/* A file, a terminal or a socket: 0 is its end. */
			if (fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode))
				return 0;
			/* On Linux a read-only FIFO that no writer has opened
			 * since we did reads 0 without POLLHUP: not an end. */
			p.revents = 0;
			if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
				continue;
			if (p.revents & POLLHUP)
				return 0;
		} else if (errno == EINTR) {
			if (stopped(finish))
				return IO_STOP;
		} else if (errno != EAGAIN) {
			return IO_ERR;
		}
	}
}

ssize_t io_read_in(int fd, void *buf, size_t n, int finish)
{
	ssize_t k;
	int r;

	for (;;) {
		/* poll() first, so a stop signal that lands just before the
		 * read is seen through the self-pipe rather than missed. */
		r = io_wait(fd, POLLIN, -1, finish);
		if (r < 0)
			return r;
		k = read(fd, buf, n);
		if (k >= 0)
			return k;
		if (errno != EINTR && errno != EAGAIN)
			return IO_ERR;
	}
}

int io_write_all(int fd, const void *buf, size_t n, int64_t timeout_ms,
		 int finish, size_t *done)
{
	const char *p = buf;
	size_t left = n;
	int64_t dl = 0;
	int wait_set = 0, r = 0;
	ssize_t k;

	while (left) {
		k = write(fd, p, left);
		if (k > 0) {
			p += k;
			left -= (size_t)k;
			wait_set = 0;	/* progress: the timeout starts over */
			continue;
		}
		if (k < 0 && errno == EINTR) {
			if (stopped(finish)) {
				r = IO_STOP;
				break;
			}
			continue;
		}
		if (k < 0 && errno != EAGAIN) {
			r = IO_ERR;
			break;
		}
		if (!wait_set) {
			dl = io_deadline(timeout_ms);
			wait_set = 1;
		}
		r = io_wait(fd, POLLOUT, dl, finish);
		if (r <= 0) {
			r = r == 0 ? IO_TIMEOUT : r;
			break;
		}
		r = 0;
	}
	if (done)
		*done = n - left;
	return r;
}

enum { LK_READER, LK_SHARED, LK_EXCL };

/* An OFD lock: it belongs to the open file, not the process, so closing
 * some other descriptor of the FIFO cannot drop it.  Fails with EINVAL
 * where the kernel has none (Linux before 3.15), as it does when built
 * with FIFOMSG_NO_OFD or on a system without them. */
static int ofd_lock(int fd, int wait, struct flock *l)
{
#if defined(F_OFD_SETLK) && !defined(FIFOMSG_NO_OFD)
	return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, l);
#else
	(void)fd, (void)wait, (void)l;
	errno = EINVAL;
	return -1;
#endif
}

static int lock_call(int fd, int how, int wait)
{
	/* Set once OFD locks are refused: every later call, unlocks
	 * included, must use the same kind of lock. */
	static int classic;
	struct flock l;

	if (how == LK_READER)
		return flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
	memset(&l, 0, sizeof l);
	l.l_type = how == LK_EXCL ? F_WRLCK : how == LK_SHARED ? F_RDLCK
							       : F_UNLCK;
	l.l_whence = SEEK_SET;
	l.l_start = 0;
	l.l_len = 1;
	if (!classic) {
		int r = ofd_lock(fd, wait, &l);

		if (r == 0 || errno != EINVAL)
			return r;
		classic = 1;
	}
	/* Classic locks belong to the process and vanish when it closes ANY
	 * descriptor of the FIFO.  That is as safe here: the writer locks,
	 * and a sender opens the FIFO once and holds that one descriptor
	 * until it exits.  Keep it so. */
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &l);
}

static int unsupported(int err)
{
	return err == EINVAL || err == EOPNOTSUPP || err == ENOTSUP ||
	       err == ENOSYS;
}

static int take(int fd, int how, int64_t deadline)
{
	/* A 50 ms interval timer interrupts the blocking call, so neither a
	 * deadline nor a stop signal can be missed while waiting. */
	struct itimerval tick = { { 0, 50000 }, { 0, 50000 } }, off;
	int r;

	if (lock_call(fd, how, 0) == 0)
		return 0;
	if (unsupported(errno))
		return 0;
	if (errno != EWOULDBLOCK && errno != EAGAIN && errno != EACCES)
		return IO_ERR;
	memset(&off, 0, sizeof off);
	setitimer(ITIMER_REAL, &tick, NULL);
	for (;;) {
		if (stopped(0)) {
			r = IO_STOP;
			break;
		}
		if (deadline >= 0 && io_now() >= deadline) {
			r = IO_TIMEOUT;
			break;
		}
		if (lock_call(fd, how, 1) == 0) {
			r = 0;
			break;
		}
		if (errno != EINTR) {
			r = IO_ERR;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	return r;
}

int io_lock_reader(int fd, int64_t deadline)
{
	return take(fd, LK_READER, deadline);
}

void io_unlock_reader(int fd)
{
	flock(fd, LOCK_UN);
}

int io_lock_writer(int fd, int exclusive, int64_t deadline)
{
	return take(fd, exclusive ? LK_EXCL : LK_SHARED, deadline);
}

void io_unlock_writer(int fd)
{
	lock_call(fd, -1, 0);
}

long io_queued(int fd)
{
	int n;

	return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

/* A descriptor that becomes readable whenever someone reads the FIFO
 * (inotify IN_ACCESS, on the inode behind fd), or -1 where there is none:
 * then the drain has to look at the queue from time to time instead. */
static int watch_reads(int fd)
{
#ifdef HAVE_INOTIFY
	char path[32];
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (in < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	/* IN_CLOSE_NOWRITE: a reader leaving, which may leave none. */
	if (inotify_add_watch(in, path, IN_ACCESS | IN_CLOSE_NOWRITE) >= 0)
		return in;
	close(in);
#else
	(void)fd;
#endif
	return -1;
}

/* Sleep about us microseconds, less if a read is seen on in (or a stop
 * signal comes), never past deadline. */
static void nap(int in, int64_t us, int64_t deadline)
{
	struct timespec ts = { (time_t)(us / 1000000),
			       (long)(us % 1000000) * 1000 };
	int64_t until = io_now() + (us + 999) / 1000;
	char ev[1024];

	if (in < 0) {
		nanosleep(&ts, NULL);	/* a stop signal cuts it short */
		return;
	}
	if (io_wait(in, POLLIN, deadline >= 0 && deadline < until ? deadline
							  : until, 0) > 0)
		while (read(in, ev, sizeof ev) > 0)
			;
}

/* A pipe's write end whose readers have all gone (Linux says so with
 * POLLERR).  Never true of a FIFO we hold open read-write. */
static int no_reader(int fd)
{
	struct pollfd p = { fd, 0, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* No event says "pipe empty", so look at FIONREAD: at once whenever a
 * reader reads (on Linux, through watch_reads()), and otherwise after a
 * nap that doubles from 20 us (a reader on the other core is usually
 * that quick) to 10 ms while readers keep taking, and to 250 ms once
 * nothing has moved for a second: a send waiting for an absent reader
 * wakes 4 times a second, and notices the pipe empty within 250 ms. */
#define NAP_FIRST 20
#define NAP_BUSY 10000
#define NAP_IDLE 250000
#define IDLE_AFTER 1000

int io_drain(int fd, int64_t timeout_ms, long *left)
{
	long q = io_queued(fd), last;
	int64_t dl = io_deadline(timeout_ms), moved = io_now(), us;
	int in = -1, r = 0;

	if (q > 0 && (in = watch_reads(fd)) >= 0)
		q = io_queued(fd);	/* now no read can go unseen */
	us = in >= 0 ? NAP_IDLE : NAP_FIRST;
	for (last = q; q > 0; q = io_queued(fd)) {
		if (stopped(0)) {
			r = IO_STOP;
			break;
		}
		if (no_reader(fd)) {	/* what is queued will never be read */
			r = IO_GONE;
			break;
		}
		if (q < last) {	/* a reader took something */
			moved = io_now();
			dl = io_deadline(timeout_ms);
			if (in < 0)
				us = NAP_FIRST;
		}
		last = q;
		if (dl >= 0 && io_now() >= dl) {
			r = IO_TIMEOUT;
			break;
		}
		nap(in, us, dl);
		if (in < 0 && us < NAP_IDLE)
			us = us * 2 < NAP_BUSY ? us * 2 :
			     io_now() - moved < IDLE_AFTER ? NAP_BUSY :
			     NAP_IDLE;
	}
	if (in >= 0)
		close(in);
	if (left)
		*left = q > 0 ? q : 0;
	return r;
}

size_t io_pipe_buf(int fd)
{
	long n = fpathconf(fd, _PC_PIPE_BUF);

	/* 512 is the POSIX minimum; more than 64 KiB buys nothing. */
	return n < 512 ? 512 : n > 65536 ? 65536 : (size_t)n;
}
