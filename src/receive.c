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
#include "compat.h"
#include <errno.h>
#include <getopt.h>
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
	int c, r;

	memset(o, 0, sizeof *o);
	o->format = '\n';
	o->count = listen ? UINT64_MAX : 1;
	o->timeout = -1;
	o->mode = 0600;
	o->max = DEFAULT_MAX_SIZE;
	o->listen = listen;
	o->fd = -1;
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
			if ((r = opt_count(usage, optarg, &o->count)))
				return r;
			break;
		case 't':
			if ((r = opt_secs(usage, optarg, &o->timeout)))
				return r;
			break;
		case 'c': o->create = 1; break;
		case 'm':
			if ((r = opt_mode(usage, optarg, &o->mode)))
				return r;
			o->mode_set = 1;
			break;
		case 'e':
			if (!listen)
				return common_opt('?', usage, help, argv,
						  NULL);
			o->eof = 1;
			break;
		case 'M':
			if ((r = opt_size(usage, optarg, &o->max)))
				return r;
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
 * is cut short, the exit status says so.) */
static unsigned char obuf[BUFSZ];
static size_t olen;
static size_t ocommit;		/* obuf[0..ocommit) ends with a whole message */
static int oerr;

/* Write out the first n bytes of obuf and keep the rest. */
static void out_write(size_t n)
{
	if (n == 0)
		return;
	if (!oerr && io_write_all(STDOUT_FILENO, obuf, n, -1, 0, NULL))
		oerr = errno ? errno : EIO;
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
			if (!oerr && io_write_all(STDOUT_FILENO, p, n, -1, 0,
						  NULL))
				oerr = errno ? errno : EIO;
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
		if (exec_wait(&kid, seq)) {
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
	if (io_mkfifo(o->path, o->mode) == 0) {
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

static int finish(const struct rxopt *o, int fd, int created, int r,
		  uint64_t got, int64_t t0)
{
	out_flush();
	olen = 0;	/* what is left is part of a message cut short */
	exec_abort(&kid);	/* and a command still reading one dies */
	if (o->verbose)
		print_summary(got, NULL, io_now() - t0);
	if (created)
		uncreate(o, fd);
	close(fd);
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

int receive(const struct rxopt *o)
{
	static unsigned char buf[BUFSZ];
	const unsigned char *data;
	enum fdec_event ev;
	struct fdec d;
	uint64_t got = 0;
	int64_t t0 = io_now(), dl;
	int fd, created = o->fd >= 0, r = FM_OK;
	size_t pos, dlen, want;
	int empty = 0;
	ssize_t k;

	io_signals();
	if (o->create && create(o, &created))
		return FM_FAIL;
	/* Read-write keeps a writer open ourselves: no EOF, no POLLHUP spin
	 * between writers.  -e needs to see the last writer go. */
	fd = created ? o->fd : io_open_pipe(o->path, !o->eof, o->follow);
	if (fd < 0) {
		if (created)
			unlink(o->path);
		return FM_FAIL;
	}
	/* Also when we created it: the path may have been swapped between
	 * mkfifo() and open(). */
	if (o->create && check_existing(o, fd)) {
		close(fd);
		return FM_FAIL;
	}
	dl = io_deadline(o->timeout);
	k = io_lock_reader(fd, dl);
	if (k == IO_TIMEOUT) {
		warnx_("%s: timed out: another reader is using it", o->path);
		return finish(o, fd, created, FM_TIMEOUT, got, t0);
	}
	if (k) {
		if (k == IO_ERR)
			warn_("%s: lock", o->path);
		return finish(o, fd, created, k == IO_STOP ? FM_OK : FM_FAIL,
			      got, t0);
	}
	fdec_init(&d, o->max);
	io_watch(STDOUT_FILENO);
	while (got < o->count && !oerr) {
		/* --exec reads one message at a time: a command that fails
		 * with --stop-on-error must leave the next one in the pipe. */
		want = bound(&d, o->exec ? 1 : o->count - got);
		k = io_read(fd, buf, want, dl, fdec_partial(&d), empty,
			    out_flush);
		if (k > 0) {
			empty = (size_t)k < want;
			if (o->timeout >= 0)
				dl = io_deadline(o->timeout);
		} else if (k == 0 || k == IO_TIMEOUT) {
			if (fdec_partial(&d)) {
				warnx_("malformed stream: frame cut short "
				       "(%s)", k ? "no more data in time"
						 : "last writer left");
				r = FM_MALFORMED;
			} else if (k == IO_TIMEOUT &&
				   (!o->listen || o->count != UINT64_MAX)) {
				warnx_("timed out after %llu of %llu "
				       "messages", (unsigned long long)got,
				       (unsigned long long)o->count);
				r = FM_TIMEOUT;
			}
			break;
		} else {
			if (k == IO_ERR) {
				warn_("%s", o->path);
				r = FM_FAIL;
			} else if (k == IO_GONE && !oerr) {
				oerr = EPIPE;	/* stdout's reader left */
			}
			break;
		}
		pos = 0;
		if (o->format == '\n' || o->format == '0')
			pos = lines_fast(o, &d, buf, (size_t)k, &got);
		for (;;) {
			pos += fdec_feed(&d, buf + pos, (size_t)k - pos, &ev,
					 &data, &dlen);
			if (ev == FD_NEED)
				break;
			if (ev == FD_HEAD) {
				r = emit_head(o, &d, got + 1);
			} else if (ev == FD_DATA) {
				r = emit_data(o, data, dlen);
			} else if (ev == FD_END) {
				r = emit_end(o, ++got);
				out_commit();
			} else {
				warnx_("malformed stream: frame of %lu bytes "
				       "is larger than --max-size %llu",
				       (unsigned long)d.size,
				       (unsigned long long)o->max);
				r = FM_MALFORMED;
			}
			if (r)
				goto done;
		}
	}
done:
	if (kid_failed && r == FM_OK)
		r = FM_FAIL;	/* like xargs: say that some command failed */
	return finish(o, fd, created, r, got, t0);
}
