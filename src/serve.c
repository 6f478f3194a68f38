/* fifomsg serve: take requests from a pipe as a work queue, run a
 * command on each, and send its output back to the one requester.
 *
 * Several servers on one pipe form a pool: each takes the reader lock
 * for exactly one frame at a time, reads that frame and not a byte more,
 * and lets go before it runs the command, so each request is handled
 * once, by whichever server is free.
 *
 * The reply path comes from whoever could write to the pipe, so it is
 * trusted with nothing: opened write-only, non-blocking, never through
 * a symbolic link, never created or truncated, and written only if it
 * is a FIFO of the user we run as. */
#define _GNU_SOURCE	/* getopt_long, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"

static const char usage[] =
	"fifomsg serve [-kv] [-n COUNT] [-t SECS] [--max-size N] [--follow] "
	"--exec CMD PIPE";
static const char help[] =
	"\n\n"
	"Take requests (from fifomsg request) from PIPE one at a time, run\n"
	"CMD with /bin/sh for each, the request on its standard input, and\n"
	"send its standard output and exit status back to the requester.\n"
	"Several servers may share PIPE: each request is handled once.\n"
	"\n"
	"      --exec CMD    the command; FIFOMSG_PIPE and FIFOMSG_SEQ are\n"
	"                    in its environment\n"
	"  -k, --keep-newline  reply with all of the output: do not drop\n"
	"                    one newline at its end\n"
	"  -n, --count COUNT exit after COUNT requests\n"
	"  -t, --timeout SECS  give up a reply that the requester takes\n"
	"                    nothing of for SECS seconds\n"
	"      --max-size N  largest request and reply (default 64M; K, M, G)\n"
	"      --follow      open PIPE even if it is a symbolic link\n"
	"  -v, --verbose     a line on standard error for each request\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

/* Room in front of the output for the reply's two headers and status. */
#define HEAD (2 * FRAME_HDR + 12)

struct srv {
	const char *pipe, *cmd;
	int fd, follow, verbose, keep;
	uint64_t count, seq, max;
	int64_t timeout;
	unsigned char *req;	/* the request frame's payload */
	size_t reqcap;
	unsigned char *out;	/* HEAD bytes, then the command's output */
	size_t outlen, outcap;
};

static int options(int argc, char **argv, struct srv *s)
{
	static const struct option longs[] = {
		{ "exec", required_argument, NULL, 'x' },
		{ "keep-newline", no_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "follow", no_argument, NULL, 'F' },
		LONGS_END
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:kn:t:vhV", longs, NULL)) != -1) {
		r = 0;
		switch (c) {
		case 'x': s->cmd = optarg; break;
		case 'n': r = opt_count(usage, optarg, &s->count); break;
		case 't': r = opt_secs(usage, optarg, &s->timeout); break;
		case 'M': r = opt_size(usage, optarg, &s->max); break;
		case 'F': s->follow = 1; break;
		case 'k': s->keep = 1; break;
		case 'v': s->verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
		if (r)
			return r;
	}
	if (!s->cmd)
		return usage_err(usage, "no --exec CMD given");
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	if (optind + 1 < argc)
		return usage_err(usage, "too many operands (one PIPE only)");
	s->pipe = argv[optind];
	return -1;
}

/* Exactly n bytes of the pipe; once a frame is begun (finish), a first
 * stop signal does not cut it short.  Returns 0 or an IO_ code. */
static int read_exact(int fd, void *buf, size_t n, int finish)
{
	unsigned char *p = buf;
	ssize_t k;

	while (n > 0) {
		k = io_read(fd, p, n, -1, finish, 0, NULL, NULL);
		if (k <= 0)
			return k == 0 ? IO_ERR : (int)k;
		p += k;
		n -= (size_t)k;
		finish = 1;
	}
	return 0;
}

/* The next request, under the reader lock: 1 with *len set, 0 when one
 * too big was skipped, or an IO_ code. */
static int take(struct srv *s, size_t *len)
{
	unsigned char h[FRAME_HDR], junk[4096];
	uint32_t n;
	int r = io_lock_reader(s->fd, -1);

	if (r == 0)
		r = read_exact(s->fd, h, sizeof h, 0);
	n = r == 0 ? frame_get(h) : 0;
	if (r == 0 && n > s->max) {
		/* Read past it: the queue stays in step for the others. */
		warnx_("request of %lu bytes is larger than --max-size %llu; "
		       "skipped", (unsigned long)n, (unsigned long long)s->max);
		for (size_t k; r == 0 && n > 0; n -= (uint32_t)k) {
			k = n < sizeof junk ? n : sizeof junk;
			r = read_exact(s->fd, junk, k, 1);
		}
		io_unlock_reader(s->fd);
		return r;
	}
	if (r == 0 && n > s->reqcap) {
		unsigned char *nb = realloc(s->req, n);
		if (!nb) {
			warn_("malloc");
			r = IO_ERR;
		} else {
			s->req = nb;
			s->reqcap = n;
		}
	}
	if (r == 0)
		r = read_exact(s->fd, s->req, n, 1);
	io_unlock_reader(s->fd);
	*len = n;
	return r == 0 ? 1 : r;
}

/* Keep what the command writes; more than --max-size fails the reply. */
static int collect(struct srv *s, int fd)
{
	unsigned char *nb;
	ssize_t k;

	if (s->outlen == s->outcap) {
		size_t cap = s->outcap * 2;
		if (s->outcap - HEAD > s->max)
			return -1;
		if (cap > s->max + HEAD + 1)
			cap = (size_t)s->max + HEAD + 1;
		if (!(nb = realloc(s->out, cap)))
			return -1;
		s->out = nb;
		s->outcap = cap;
	}
	k = read(fd, s->out + s->outlen, s->outcap - s->outlen);
	if (k > 0)
		s->outlen += (size_t)k;
	return k < 0 && (errno == EAGAIN || errno == EINTR) ? 1 : (int)k;
}

/* Feed the command its input and take its output at the same time: a
 * command that writes before it has read everything must not block us. */
static int pump(struct srv *s, struct child *c, int ofd,
		const unsigned char *in, size_t n)
{
	struct pollfd p[2];
	ssize_t k;
	int r;

	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	fcntl(ofd, F_SETFL, O_NONBLOCK);
	for (;;) {
		if (c->fd >= 0 && n == 0) {
			close(c->fd);
			c->fd = -1;
		}
		if (io_stops > 1)
			return -1;	/* a second signal: no waiting */
		p[0] = (struct pollfd){ c->fd, POLLOUT, 0 };
		p[1] = (struct pollfd){ ofd, POLLIN, 0 };
		/* A signal interrupts poll(); the timeout only covers one
		 * that lands just before it. */
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			return -1;
		if (p[0].revents) {
			k = write(c->fd, in, n);
			if (k > 0) {
				in += k;
				n -= (size_t)k;
			} else if (k < 0 && errno != EAGAIN && errno != EINTR) {
				n = 0;	/* it does not read it all: fine */
			}
		}
		if (p[1].revents) {
			if ((r = collect(s, ofd)) <= 0)
				return r;
		}
	}
}

/* Run the command on one request; its exit status (128 + N if killed by
 * signal N, as the shell says), or -1 if it could not be run. */
static int run(struct srv *s, const unsigned char *in, size_t n)
{
	struct child c = { 0, -1 };
	int o[2], st, r;

	s->outlen = HEAD;
	if (pipe2(o, O_CLOEXEC) < 0) {
		warn_("pipe");
		return -1;
	}
	r = exec_start_out(&c, s->cmd, s->pipe, s->seq, o[1]);
	close(o[1]);
	if (r == 0)
		r = pump(s, &c, o[0], in, n);
	close(o[0]);
	if (r < 0) {
		if (c.pid > 0 && io_stops <= 1)
			warnx_("request %llu: output larger than --max-size "
			       "%llu", (unsigned long long)s->seq,
			       (unsigned long long)s->max);
		exec_abort(&c);
		s->outlen = HEAD;
		return -1;
	}
	if (c.fd >= 0)
		close(c.fd);
	while (waitpid(c.pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Open the reply path as the requester named it, and only if it is a
 * FIFO of our user with a reader.  -1 (with a line) otherwise.  A
 * requester that has gone costs one lstat() or one failed open(). */
static int reply_open(const struct srv *s, const char *path)
{
	struct stat st;
	int fd;

	if (path[0] != '/') {
		warnx_("request %llu: reply path '%s' is not absolute; "
		       "nothing sent", (unsigned long long)s->seq, path);
		return -1;
	}
	/* Not even an open() for what is plainly no FIFO: opening a
	 * device can have effects of its own. */
	if (lstat(path, &st) == 0 && !S_ISFIFO(st.st_mode)) {
		warnx_("request %llu: reply path %s is not a FIFO; nothing "
		       "sent", (unsigned long long)s->seq, path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY |
			O_CLOEXEC);
	if (fd < 0) {
		warn_("request %llu: reply path %s%s", (unsigned long long)s->seq,
		      path, errno == ENXIO ? " (the requester has gone)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) ||
	    st.st_uid != geteuid()) {
		warnx_("request %llu: reply path %s is not a FIFO of uid %u; "
		       "nothing sent", (unsigned long long)s->seq, path,
		       (unsigned)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

/* The two frames, status then output, in one write when they fit. */
static void reply(struct srv *s, const char *path, int status)
{
	char num[12];
	int k = snprintf(num, sizeof num, "%d", status);
	size_t from = HEAD - (2 * FRAME_HDR + (size_t)k);
	unsigned char *p = s->out + from;
	int fd = reply_open(s, path), r;

	if (fd < 0)
		return;
	frame_put(p, (uint32_t)k);
	memcpy(p + FRAME_HDR, num, (size_t)k);
	frame_put(p + FRAME_HDR + k, (uint32_t)(s->outlen - HEAD));
	r = io_write_all(fd, p, s->outlen - from, s->timeout, 1, NULL);
	if (r == IO_ERR)
		warn_("request %llu: reply to %s", (unsigned long long)s->seq,
		      path);
	else if (r == IO_TIMEOUT)
		warnx_("request %llu: timed out: %s took nothing of the reply",
		       (unsigned long long)s->seq, path);
	close(fd);
}

static void handle(struct srv *s, size_t len)
{
	unsigned char *nul = memchr(s->req, '\0', len);
	size_t plen;
	int st;

	s->seq++;
	if (!nul || nul == s->req) {
		warnx_("request %llu: malformed (no reply path); skipped",
		       (unsigned long long)s->seq);
		return;
	}
	plen = (size_t)(nul - s->req);
	st = run(s, nul + 1, len - plen - 1);
	if (st < 0 && io_stops > 1)
		return;
	if (st < 0)
		st = 126;	/* as the shell says for "cannot run" */
	/* A line of output is a message without its newline, as a line of
	 * input is for send. */
	if (!s->keep && s->outlen > HEAD && s->out[s->outlen - 1] == '\n')
		s->outlen--;
	reply(s, (const char *)s->req, st);
	if (s->verbose)
		warnx_("request %llu: exit status %d, %lu bytes of output",
		       (unsigned long long)s->seq, st,
		       (unsigned long)(s->outlen - HEAD));
}

int serve_main(int argc, char **argv)
{
	struct srv s = { .count = UINT64_MAX, .timeout = -1,
			 .max = DEFAULT_MAX_SIZE };
	size_t len;
	int r = options(argc, argv, &s);

	if (r >= 0)
		return r;
	io_signals();
	if ((s.fd = io_open_pipe(s.pipe, 1, s.follow)) < 0)
		return FM_FAIL;
	s.outcap = HEAD + 4096;
	if (!(s.out = malloc(s.outcap))) {
		warn_("malloc");
		return FM_FAIL;
	}
	r = FM_OK;
	while (s.seq < s.count && !io_stop) {
		int k = take(&s, &len);
		if (k == 1)
			handle(&s, len);
		if (k == IO_ERR) {
			warn_("%s", s.pipe);
			r = FM_FAIL;
		}
		if (k < 0)
			break;
	}
	free(s.req);
	free(s.out);
	close(s.fd);
	io_die_by_signal();
	return r;
}
