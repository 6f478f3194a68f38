/* fifomsg request: one request to the servers of a pipe, one reply.
 *
 * The reply comes through a FIFO of our own, made before the request is
 * sent and opened read-write, so a reply written at any moment waits
 * there for us.  The request frame's payload is that FIFO's absolute
 * path, a NUL byte, and the request body.  The reply is two frames: the
 * command's exit status in decimal, then its output, which receive()
 * prints as listen would.  fifomsg-serve(1), WIRE FORMAT. */
#define _GNU_SOURCE	/* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fanout.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "receive.h"

static const char usage[] =
	"fifomsg request [-0 | -r | --json] [-v] [-t SECS] [-d DIR] "
	"[--exec CMD [--stop-on-error]] [--max-size N] [--follow] "
	"PIPE [MESSAGE]";
static const char help[] =
	"\n\n"
	"Send MESSAGE, or else all of standard input, as one request to the\n"
	"fifomsg serve processes of PIPE, wait for the reply and print it.\n"
	"Exits 1 if the server's command failed.\n"
	"\n"
	OUT_HELP
	"  -t, --timeout SECS  give up (exit 3) when no reply comes in SECS\n"
	"  -d, --dir DIR     make the reply FIFO in DIR (default $TMPDIR or\n"
	"                    /tmp)\n"
	"      --follow      open PIPE even if it is a symbolic link\n"
	"  -v, --verbose     print a summary on standard error at exit\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

/* The exit status in the reply's first frame: at most this many digits. */
#define STATUS_MAX 10

struct req {
	struct rxopt o;
	const char *pipe, *dir;
	int follow;
	char path[PATH_MAX];	/* the reply FIFO */
	int rfd;
};

static int options(int argc, char **argv, struct req *q)
{
	static const struct option longs[] = {
		OUT_LONGS,
		{ "timeout", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "follow", no_argument, NULL, 'F' },
		LONGS_END
	};
	int c, r;

	out_defaults(&q->o, 0);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:0rt:d:vhV", longs, NULL))
	       != -1) {
		if ((r = out_option(c, optarg, &q->o, usage)) >= 0) {
			if (r)
				return r;
			continue;
		}
		r = 0;
		switch (c) {
		case 't': r = opt_secs(usage, optarg, &q->o.timeout); break;
		case 'd': q->dir = optarg; break;
		case 'F': q->follow = 1; break;
		case 'v': q->o.verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
		if (r)
			return r;
	}
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	if (optind + 2 < argc)
		return usage_err(usage, "too many operands (PIPE and one "
				 "MESSAGE)");
	q->pipe = argv[optind];
	return out_check(&q->o, usage);
}

/* The request frame: header, the reply path, NUL, then MESSAGE or all
 * of standard input. */
static unsigned char *build(const struct req *q, const char *msg,
			    size_t *len)
{
	size_t plen = strlen(q->path) + 1, n = FRAME_HDR + plen;
	size_t cap = n + (msg ? strlen(msg) : 4096);
	unsigned char *buf = malloc(cap), *nb;
	ssize_t k = 0;

	if (!buf) {
		warn_("malloc");
		return NULL;
	}
	if (msg) {
		memcpy(buf + n, msg, strlen(msg));
		n += strlen(msg);
	}
	/* Reading stops once the request is known to be too big. */
	while (!msg && n - FRAME_HDR <= q->o.max) {
		if (n == cap) {
			if (!(nb = realloc(buf, cap *= 2))) {
				free(buf);
				warn_("malloc");
				return NULL;
			}
			buf = nb;
		}
		if ((k = io_read_in(STDIN_FILENO, buf + n, cap - n, 0)) <= 0)
			break;
		n += (size_t)k;
	}
	if (k < 0 || n - FRAME_HDR > q->o.max) {
		if (k == IO_ERR)
			warn_("standard input");
		else if (k >= 0)
			warnx_("request of %s%llu bytes is larger than "
			       "--max-size %llu", msg ? "" : "at least ",
			       (unsigned long long)(n - FRAME_HDR),
			       (unsigned long long)q->o.max);
		free(buf);
		return NULL;
	}
	memcpy(buf + FRAME_HDR, q->path, plen);
	frame_put(buf, (uint32_t)(n - FRAME_HDR));
	*len = n;
	return buf;
}

/* Into the queue: at most PIPE_BUF bytes in one write under the shared
 * writer lock, a bigger frame under the exclusive one, as send does. */
static int put(const char *pipe, int fd, const unsigned char *buf,
	       size_t len, int64_t dl)
{
	int big = len > io_pipe_buf(fd), r;

	r = io_lock_writer(fd, big, dl);
	if (r == 0) {
		r = io_write_all(fd, buf, len, dl < 0 ? -1 : dl - io_now(),
				 big, NULL);
		io_unlock_writer(fd);
	}
	if (r == IO_ERR)
		warn_("%s", pipe);
	else if (r == IO_TIMEOUT)
		warnx_("timed out: no server took the request");
	return r;
}

/* Exactly n bytes of the reply FIFO (never more: the rest is receive()'s).
 * Returns 0 or an IO_ code. */
static int read_exact(int fd, unsigned char *p, size_t n, int64_t dl)
{
	ssize_t k;

	while (n > 0) {
		k = io_read(fd, p, n, dl, 0, 0, NULL, NULL);
		if (k <= 0)
			return k == 0 ? IO_ERR : (int)k;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The first frame of the reply: the command's exit status. */
static int status(struct req *q, int64_t dl, int *st)
{
	unsigned char h[FRAME_HDR], d[STATUS_MAX];
	uint32_t n = 0;
	int r = read_exact(q->rfd, h, sizeof h, dl);

	if (r == 0) {
		n = frame_get(h);
		if (n == 0 || n > STATUS_MAX) {
			warnx_("malformed reply: a status of %lu bytes",
			       (unsigned long)n);
			return FM_MALFORMED;
		}
		r = read_exact(q->rfd, d, n, dl);
	}
	if (r == IO_TIMEOUT)
		warnx_("timed out: no reply in time");
	else if (r == IO_ERR)
		warn_("%s", q->path);
	if (r)
		return r == IO_TIMEOUT ? FM_TIMEOUT : FM_FAIL;
	*st = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9' || *st > 100000000) {
			warnx_("malformed reply: a status that is not a "
			       "number");
			return FM_MALFORMED;
		}
		*st = *st * 10 + (d[i] - '0');
	}
	return 0;
}

/* Remove the reply FIFO if its name is still ours. */
static void unmake(struct req *q)
{
	struct stat a, b;

	if (fstat(q->rfd, &a) == 0 && lstat(q->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlink(q->path);
	close(q->rfd);
}

static int exchange(struct req *q, int qfd, const char *msg)
{
	int64_t dl = io_deadline(q->o.timeout);
	unsigned char *buf;
	size_t len;
	int r, st = 0;

	if (!(buf = build(q, msg, &len)))
		r = FM_FAIL;
	else if ((r = put(q->pipe, qfd, buf, len, dl)))
		r = r == IO_TIMEOUT ? FM_TIMEOUT : FM_FAIL;
	free(buf);
	if (r == 0)
		r = status(q, dl, &st);
	if (r) {
		unmake(q);
		io_die_by_signal();
		return r;
	}
	/* receive() prints the output and removes the FIFO, whatever
	 * happens. */
	q->o.fd = q->rfd;
	q->o.path = q->path;
	if (q->o.timeout >= 0)
		q->o.timeout = dl > io_now() ? dl - io_now() : 0;
	r = receive(&q->o);
	if (st && r == FM_OK) {
		warnx_("the server's command failed: exit status %d", st);
		r = FM_FAIL;
	}
	return r;
}

int request_main(int argc, char **argv)
{
	struct req q = { .rfd = -1 };
	const char *tmp = getenv("TMPDIR");
	int qfd, r = options(argc, argv, &q);

	if (r >= 0)
		return r;
	if (!q.dir)
		q.dir = tmp && *tmp ? tmp : "/tmp";
	io_signals();
	if (q.dir[0] != '/') {
		warnx_("%s: the reply directory must be an absolute path",
		       q.dir);
		return FM_USAGE;
	}
	if ((qfd = io_open_pipe(q.pipe, 1, q.follow)) < 0)
		return FM_FAIL;
	/* Kept open to the end: a request waiting in the pipe would be lost
	 * if the pipe's last descriptor closed. */
	q.rfd = priv_fifo(q.dir, "fifomsg-reply.", 0600, q.path);
	if (q.rfd < 0)
		return FM_FAIL;
	r = exchange(&q, qfd, argc - optind > 1 ? argv[optind + 1] : NULL);
	close(qfd);
	return r;
}
