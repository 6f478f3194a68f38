/* The receiving side shared by recv and listen: options, the read loop and
 * the output formats.
 *
 * A reader holds an exclusive reader lock for as long as it runs, so two
 * readers never split one frame between them.  It reads ahead in large
 * chunks, but never past the last message it was asked for: with COUNT
 * messages to go it asks for at most the rest of the current frame plus
 * 4 bytes (the smallest frame) for each further one, so `recv` leaves
 * every byte it does not print in the pipe for the next reader.
 * Output is buffered and flushed whenever the pipe has nothing more to
 * give, so a message is printed as soon as it is complete while a burst
 * still goes out in large writes. */
#define _GNU_SOURCE	/* getopt_long */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "json.h"
#include "receive.h"

#define BUFSZ (64 * 1024)

int rx_options(int argc, char **argv, struct rxopt *o, const char *usage,
	       const char *help, int listen)
{
	static const struct option longs[] = {
		{ "null", no_argument, NULL, '0' },
		{ "raw", no_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "create", no_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "eof", no_argument, NULL, 'e' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "follow", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "exec", required_argument, NULL, 'x' },
		{ "stop-on-error", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof *o);
	o->format = '\n';
	o->count = listen ? UINT64_MAX : 1;
	o->timeout = -1;
	o->mode = 0600;
	o->max = DEFAULT_MAX_SIZE;
	o->listen = listen;
	opterr = 0;
	while ((c = getopt_long(argc, argv, listen ? "+:0rn:t:cm:evhV"
					       : "+:0rn:t:cm:vhV",
				longs, NULL)) != -1) {
		switch (c) {
		case '0': case 'r': case 'j': case 'x':
			if (o->format != '\n' && o->format != c)
				return usage_err(usage, "-0, -r, --json and "
						 "--exec cannot be combined");
			o->format = c;
			if (c == 'x')
				o->exec = optarg;
			break;
		case 'S': o->stop_on_error = 1; break;
		case 'n':
			if (parse_count(optarg, &o->count))
				return usage_err(usage, "bad count '%s' (a "
						 "whole number)", optarg);
			break;
		case 't':
			if (parse_secs(optarg, &o->timeout))
				return usage_err(usage, "bad timeout '%s' "
						 "(seconds, e.g. 5 or 0.5)",
						 optarg);
			break;
		case 'c': o->create = 1; break;
		case 'm':
			if (parse_mode(optarg, &o->mode))
				return usage_err(usage, "bad mode '%s' (octal, "
						 "e.g. 600)", optarg);
			o->mode_set = 1;
			break;
		case 'e':
			if (!listen)
				return common_opt('?', usage, help, argv,
						  NULL);
			o->eof = 1;
			break;
		case 'M':
			if (parse_size(optarg, &o->max))
				return usage_err(usage, "bad size '%s' (0 to "
						 "4G-1; suffix K, M or G)",
						 optarg);
			break;
		case 'F': o->follow = 1; break;
		case 'v': o->verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
	}
	if (o->mode_set && !o->create)
		return usage_err(usage, "-m goes with -c");
	if (o->stop_on_error && !o->exec)
		return usage_err(usage, "--stop-on-error goes with --exec");
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	if (optind + 1 < argc)
		return usage_err(usage, "too many operands (one PIPE only)");
	o->path = argv[optind];
	return -1;
}

/* Output.  An error is remembered and acted on by the read loop, since
 * flushing also happens from inside io_read().  Only whole messages are
 * flushed while waiting for data, and an incomplete one is dropped at the
 * end, so a frame cut short never shows up as a shorter message.  (A
 * message larger than the buffer has to stream out as it arrives: if it
 * is cut short, the exit status says so.)  A first stop signal does not
 * interrupt a write: every message taken off the pipe is printed, however
 * slow the reader of our output.  A second one gives up (ostop). */
static unsigned char obuf[BUFSZ];
static size_t olen;
static size_t ocommit;		/* obuf[0..ocommit) ends with a whole message */
static int oerr;
static int ostop;		/* a second signal: output given up */

/* Write p[0..n) to standard output, unless output has already ended. */
static void out_raw(const void *p, size_t n)
{
	int r;

	if (oerr || ostop)
		return;
	r = io_write_all(STDOUT_FILENO, p, n, -1, 1, NULL);
	if (r == IO_STOP)
		ostop = 1;
	else if (r == IO_GONE)
		oerr = EPIPE;
	else if (r)
		oerr = errno ? errno : EIO;
}

/* Write out the first n bytes of obuf and keep the rest. */
static void out_write(size_t n)
{
	if (n == 0)
		return;
	out_raw(obuf, n);
	memmove(obuf, obuf + n, olen - n);
	olen -= n;
	ocommit = ocommit > n ? ocommit - n : 0;
}

/* The whole messages buffered; nonzero once output has failed. */
static int out_flush(void)
{
	out_write(ocommit);
	return oerr;
}

/* The message just output is complete. */
static void out_commit(void)
{
	ocommit = olen;
}

static void out(const void *p, size_t n)
{
	if (n > sizeof obuf - olen) {
		out_write(olen);
		if (n >= sizeof obuf) {
			out_raw(p, n);
			return;
		}
	}
	memcpy(obuf + olen, p, n);
	olen += n;
}

/* The output formats: what goes out at a frame's header, with each piece
 * of its payload, and at its end. */
static struct json js;
static struct child kid;
static int kid_failed;

static int emit_head(const struct rxopt *o, const struct fdec *d,
		     uint64_t seq)
{
	switch (o->format) {
	case 'r':
		out(d->hdr, FRAME_HDR);
		break;
	case 'j':
		out("\"", 1);
		break;
	case 'x':
		out_flush();	/* what we printed comes before its output */
		return exec_start(&kid, o->exec, o->path, seq) ? FM_FAIL : 0;
	}
	return 0;
}

static void json_out(const unsigned char *p, size_t n, int last)
{
	char tmp[JSON_MAX_OUT(4096)];

	do {
		size_t k = n < 4096 ? n : 4096;
		size_t m = json_escape(&js, p, k, last && k == n, tmp);
		out(tmp, m);
		p += k;
		n -= k;
	} while (n);
}

static int emit_data(const struct rxopt *o, const unsigned char *p, size_t n)
{
	if (o->format == 'j')
		json_out(p, n, 0);
	else if (o->format == 'x')
		return exec_feed(&kid, p, n) ? FM_FAIL : 0;
	else
		out(p, n);
	return 0;
}

static int emit_end(const struct rxopt *o, uint64_t seq)
{
	switch (o->format) {
	case '\n':
		out("\n", 1);
		break;
	case '0':
		out("", 1);
		break;
	case 'j':
		json_out((const unsigned char *)"", 0, 1);
		out("\"\n", 2);
		break;
	case 'x':
		switch (exec_wait(&kid, seq)) {
		case 0:
			break;
		case IO_STOP:	/* a second signal: we exit by it */
			return FM_FAIL;
		default:
			kid_failed = 1;
			return o->stop_on_error ? FM_FAIL : 0;
		}
		break;
	}
	return 0;
}

/* The common case, whole small frames printed as lines (or NUL records),
 * without the decoder's step-by-step events: it is most of listen's time
 * when messages are short.  Stops where a frame is not complete in buf
 * (or is too big), and leaves the rest to the decoder.  Returns the bytes
 * it consumed. */
static size_t lines_fast(const struct rxopt *o, const struct fdec *d,
			 const unsigned char *buf, size_t n, uint64_t *got)
{
	unsigned char delim = o->format == '0' ? '\0' : '\n';
	size_t pos = 0;
	uint32_t len;

	if (d->hlen || d->body)
		return 0;	/* in the middle of a frame */
	while (n - pos >= FRAME_HDR) {
		len = frame_get(buf + pos);
		if (len > o->max || len > n - pos - FRAME_HDR)
			break;
		if (len >= sizeof obuf - olen) {
			out(buf + pos + FRAME_HDR, len);
			out(&delim, 1);
		} else {
			memcpy(obuf + olen, buf + pos + FRAME_HDR, len);
			obuf[olen + len] = delim;
			olen += len + 1;
		}
		out_commit();
		pos += FRAME_HDR + len;
		++*got;
	}
	return pos;
}

/* -c: create PIPE unless it exists.  The umask is cleared for the call so
 * the mode is exactly the one asked for. */
static int create(const struct rxopt *o, int *created)
{
	mode_t old = umask(0);
	int r = mkfifo(o->path, o->mode);

	umask(old);
	if (r == 0) {
		*created = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	warn_("cannot create %s", o->path);
	return -1;
}

/* -c on an existing FIFO: only one that is ours and no more open than we
 * would have made it; anyone else's could be read by its owner. */
static int check_existing(const struct rxopt *o, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		warn_("%s", o->path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		warnx_("%s: refusing to use a FIFO owned by uid %u with -c",
		       o->path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & 022 & ~o->mode) {
		warnx_("%s: refusing to use a FIFO writable by others "
		       "(mode %03o) with -c; use -m to allow it",
		       o->path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* Remove the FIFO we created, if the path still names it. */
static void uncreate(const struct rxopt *o, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) == 0 && lstat(o->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlink(o->path);
}

/* Bytes we may read without passing the end of message number `count`:
 * the rest of the current frame plus 4 for each one after it. */
static size_t bound(const struct fdec *d, uint64_t togo)
{
	uint64_t n;

	if (togo > BUFSZ / FRAME_HDR)
		return BUFSZ;
	n = fdec_want(d) + (togo - 1) * FRAME_HDR;
	return n < BUFSZ ? (size_t)n : BUFSZ;
}

/* The reader's state. */
struct rx {
	const struct rxopt *o;
	struct fdec d;
	int fd;			/* the pipe, read-only */
	int keep;		/* our own write end, or -1 (see keep_open) */
	int created;		/* -c made the FIFO */
	uint64_t got;		/* messages taken whole */
	uint64_t off;		/* bytes taken from the pipe and decoded */
	int64_t t0;
};

/* Our own write end of the pipe.  Holding one, a reader never sees an end
 * of file, nor spins on POLLHUP, between writers.  It is dropped while a
 * frame is half-read (drop_keep): then only the writer of that frame can
 * complete it, and if no writer is left the end of file says the rest
 * will never come.  Reopened through /proc, which works even once the
 * path is gone, or else through the path if it still names our FIFO. */
static int keep_open(struct rx *x)
{
	char proc[40];
	struct stat a, b;
	int fl = O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, fd;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", x->fd);
	fd = open(proc, fl);
	if (fd < 0 && errno == ENOENT)
		fd = open(x->o->path, fl | (x->o->follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	if (fstat(fd, &a) < 0 || fstat(x->fd, &b) < 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	x->keep = fd;
	return 0;
}

static void drop_keep(struct rx *x)
{
	if (x->keep >= 0)
		close(x->keep);
	x->keep = -1;
}

/* Runs before io_read() sleeps. */
static int on_idle(void *p)
{
	struct rx *x = p;

	if (!fdec_partial(&x->d))
		return out_flush();
	/* Half a frame: let the end of file tell us if its writer left. */
	drop_keep(x);
	out_flush();
	return 0;
}

/* "PIPE: malformed stream at byte N: ...": N is where the bad frame began,
 * counted in the bytes this reader took from the pipe. */
static int malformed(const struct rx *x, uint64_t at, const char *why)
{
	const struct fdec *d = &x->d;

	at -= fdec_taken(d);
	if (d->body || d->hlen == FRAME_HDR)
		warnx_("%s: malformed stream at byte %llu: frame of %lu bytes "
		       "%s", x->o->path, (unsigned long long)at,
		       (unsigned long)d->size, why);
	else
		warnx_("%s: malformed stream at byte %llu: frame header "
		       "%s", x->o->path, (unsigned long long)at, why);
	return FM_MALFORMED;
}

static void summary(const struct rx *x)
{
	double secs = (double)(io_now() - x->t0) / 1000;

	if (secs > 0)
		warnx_("%llu messages, %.3f s, %.0f messages/s",
		       (unsigned long long)x->got, secs,
		       (double)x->got / secs);
	else
		warnx_("%llu messages, %.3f s", (unsigned long long)x->got,
		       secs);
}

/* Deliver what is whole, clean up, and say how it ended. */
static int finish(struct rx *x, int r)
{
	out_flush();
	olen = 0;	/* what is left is part of a message cut short */
	exec_abort(&kid);	/* and a command still reading one dies */
	if (x->o->verbose)
		summary(x);
	if (x->created)
		uncreate(x->o, x->fd);
	drop_keep(x);
	close(x->fd);
	if (oerr == EPIPE)
		return 141;	/* as if killed by SIGPIPE, without the noise */
	if (oerr) {
		errno = oerr;
		warn_("write error on standard output");
		return FM_FAIL;
	}
	io_die_by_signal();
	return r;
}

/* Open (and with -c create) the pipe, and take the reader lock. */
static int start(struct rx *x, int64_t dl)
{
	const struct rxopt *o = x->o;
	int k;

	if (o->create && create(o, &x->created))
		return FM_FAIL;
	x->fd = io_open_pipe(o->path, 0, o->follow);
	/* -e needs to see the last writer go: no write end of our own. */
	if (x->fd >= 0 && !o->eof && keep_open(x)) {
		warn_("%s", o->path);
		close(x->fd);
		x->fd = -1;
	}
	if (x->fd < 0) {
		if (x->created)
			unlink(o->path);
		return FM_FAIL;
	}
	/* Also when we created it: the path may have been swapped between
	 * mkfifo() and open(). */
	if (o->create && check_existing(o, x->fd)) {
		x->created = 0;
		return finish(x, FM_FAIL);
	}
	k = io_lock_reader(x->fd, dl);
	if (k == IO_TIMEOUT)
		warnx_("%s: timed out: another reader is using it", o->path);
	else if (k == IO_ERR)
		warn_("%s: lock", o->path);
	if (k)
		return finish(x, k == IO_TIMEOUT ? FM_TIMEOUT :
				 k == IO_STOP ? FM_OK : FM_FAIL);
	return -1;
}

/* Decode and deliver buf[0..n).  Returns 0 or an exit code. */
static int take(struct rx *x, const unsigned char *buf, size_t n)
{
	const struct rxopt *o = x->o;
	const unsigned char *data;
	enum fdec_event ev;
	size_t pos = 0, dlen;
	int r = 0;

	if (o->format == '\n' || o->format == '0')
		pos = lines_fast(o, &x->d, buf, n, &x->got);
	while (!r) {
		pos += fdec_feed(&x->d, buf + pos, n - pos, &ev, &data, &dlen);
		if (ev == FD_NEED)
			break;
		if (ev == FD_HEAD) {
			r = emit_head(o, &x->d, x->got + 1);
		} else if (ev == FD_DATA) {
			r = emit_data(o, data, dlen);
		} else if (ev == FD_END) {
			r = emit_end(o, ++x->got);
			out_commit();
		} else {
			char why[64];
			snprintf(why, sizeof why, "is larger than --max-size "
				 "%llu", (unsigned long long)o->max);
			r = malformed(x, x->off + pos, why);
		}
	}
	x->off += n;
	return r;
}

/* The read ended without data: k is 0 (end of file) or an IO_ code. */
static int no_data(struct rx *x, ssize_t k)
{
	const struct rxopt *o = x->o;
	char why[64];

	if (k == 0 && fdec_partial(&x->d)) {
		if (x->d.body)
			snprintf(why, sizeof why, "cut short after %llu "
				 "of them (last writer left)", (unsigned long long)
				 (x->d.size - x->d.left));
		else
			snprintf(why, sizeof why, "cut short after %u of %d "
				 "bytes (last writer left)", x->d.hlen,
				 FRAME_HDR);
		return malformed(x, x->off, why);
	}
	if (k == IO_TIMEOUT && (!o->listen || o->count != UINT64_MAX)) {
		warnx_("timed out after %llu of %llu messages",
		       (unsigned long long)x->got,
		       (unsigned long long)o->count);
		return FM_TIMEOUT;
	}
	if (k == IO_ERR) {
		warn_("%s", o->path);
		return FM_FAIL;
	}
	if (k == IO_GONE && !oerr)
		oerr = EPIPE;	/* stdout's reader left */
	return FM_OK;
}

/* Timeouts (-t) bound the wait for a message to begin: once any byte of a
 * frame is in, the rest is waited for as long as its writer has the pipe
 * open.  A stop signal ends the loop at the next frame boundary: no frame
 * is left half-read, and no message is taken after it. */
int receive(const struct rxopt *o)
{
	static unsigned char buf[BUFSZ];
	struct rx x = { .o = o, .fd = -1, .keep = -1, .t0 = io_now() };
	int64_t dl = io_deadline(o->timeout);
	int empty = 0, partial, r;
	size_t want;
	ssize_t k;

	io_signals();
	r = start(&x, dl);
	if (r >= 0)
		return r;
	r = FM_OK;
	fdec_init(&x.d, o->max);
	/* --exec: what the command writes is its own business. */
	if (!o->exec)
		io_watch(STDOUT_FILENO);
	while (x.got < o->count) {
		partial = fdec_partial(&x.d);
		if (!partial && (io_stop || oerr || ostop))
			break;
		if (!partial && x.keep < 0 && !o->eof && keep_open(&x)) {
			warn_("%s", o->path);
			r = FM_FAIL;
			break;
		}
		if (partial && oerr)
			io_watch(-1);	/* read the frame to its end anyway */
		/* --exec reads one message at a time: a command that fails
		 * with --stop-on-error must leave the next one in the pipe.
		 * After a stop, only the rest of this frame is read. */
		want = bound(&x.d, o->exec || io_stop || oerr ? 1
							       : o->count - x.got);
		k = io_read(x.fd, buf, want, partial ? -1 : dl, partial, empty,
			    on_idle, &x);
		if (k <= 0) {
			r = no_data(&x, k);
			break;
		}
		empty = (size_t)k < want;
		if (o->timeout >= 0)
			dl = io_deadline(o->timeout);
		r = take(&x, buf, (size_t)k);
		if (r)
			break;
	}
	if (kid_failed && r == FM_OK)
		r = FM_FAIL;	/* like xargs: say that some command failed */
	return finish(&x, r);
}
