/* The receiving side shared by recv and listen: their options and the
 * read loop.  Output buffering lives in out.c, the formats in emit.c,
 * the FIFO's opening, keeping and removal in pipefile.c.
 *
 * A reader holds an exclusive reader lock for as long as it runs, so two
 * readers never split one frame between them.  It reads ahead in large
 * chunks, but never past the last message it was asked for: with COUNT
 * messages to go it asks for at most the rest of the current frame plus
 * 4 bytes (the smallest frame) for each further one, so `recv` leaves
 * every byte it does not print in the pipe for the next reader.
 * Output is flushed whenever the pipe has nothing more to give, so a
 * message is printed as soon as it is complete while a burst still goes
 * out in large writes.
 *
 * Stopping (fifomsg(1), SIGNALS): -t bounds only the wait for a message
 * to begin; once any byte of a frame is in, the rest is waited for as
 * long as a writer has the pipe open.  A first stop signal ends the loop
 * at the next frame boundary, so no frame is left half-read and no
 * message is taken after it; a second one ends it at once. */
#include "compat.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emit.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "out.h"
#include "pipefile.h"
#include "receive.h"

#define READSZ (64 * 1024)

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

/* The options that take a value: -1 to go on, or an exit status. */
static int value_option(int c, struct rxopt *o, const char *usage)
{
	int r;

	switch (c) {
	case 'n':
		r = opt_count(usage, optarg, &o->count);
		break;
	case 't':
		r = opt_secs(usage, optarg, &o->timeout);
		break;
	case 'm':
		r = opt_mode(usage, optarg, &o->mode);
		o->mode_set = 1;
		break;
	default:	/* 'M' */
		r = opt_size(usage, optarg, &o->max);
		break;
	}
	return r ? r : -1;
}

/* One option: -1 to go on, or an exit status. */
static int one_option(int c, struct rxopt *o, const char *usage,
		      const char *help, char **argv)
{
	switch (c) {
	case '0': case 'r': case 'j': case 'x':
		if (o->format != '\n' && o->format != c)
			return usage_err(usage, "-0, -r, --json and --exec "
					 "cannot be combined");
		o->format = c;
		if (c == 'x')
			o->exec = optarg;
		return -1;
	case 'n': case 't': case 'm': case 'M':
		return value_option(c, o, usage);
	case 'e':
		if (!o->listen)
			return common_opt('?', usage, help, argv, NULL);
		o->eof = 1;
		return -1;
	case 'S': o->stop_on_error = 1; return -1;
	case 'c': o->create = 1; return -1;
	case 'F': o->follow = 1; return -1;
	case 'v': o->verbose = 1; return -1;
	default:
		return common_opt(c, usage, help, argv, longs);
	}
}

int rx_options(int argc, char **argv, struct rxopt *o, const char *usage,
	       const char *help, int listen)
{
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
				longs, NULL)) != -1)
		if ((r = one_option(c, o, usage, help, argv)) >= 0)
			return r;
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

/* The reader's state. */
struct rx {
	const struct rxopt *o;
	struct pipefile pf;
	struct fdec d;
	struct emit em;
	struct out out;
	uint64_t got;		/* messages taken whole */
	uint64_t off;		/* bytes taken from the pipe and decoded */
	int64_t t0;
	unsigned char buf[READSZ];
};

/* Bytes we may read without passing the end of message number `count`:
 * the rest of the current frame plus 4 for each one after it. */
static size_t read_bound(const struct fdec *d, uint64_t togo)
{
	uint64_t n;

	if (togo > READSZ / FRAME_HDR)
		return READSZ;
	n = fdec_want(d) + (togo - 1) * FRAME_HDR;
	return n < READSZ ? (size_t)n : READSZ;
}

/* Runs before io_read() sleeps: whole messages go out; in the middle of
 * a frame our own write end goes, so that the end of file can say the
 * frame's writer left. */
static int before_sleep(void *p)
{
	struct rx *x = p;

	if (!fdec_partial(&x->d))
		return out_flush(&x->out);
	pipe_unkeep(&x->pf);
	out_flush(&x->out);
	return 0;
}

/* "PIPE: malformed stream at byte N: ...": N is where the bad frame began,
 * counted in the bytes this reader took from the pipe (at: up to here). */
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

/* A message's header or end, passed to the format; at: the bytes taken up
 * to here, for a malformed stream's offset. */
static int take_edge(struct rx *x, enum fdec_event ev, uint64_t at)
{
	struct rxmsg m = { x->o->path, x->got + 1, x->d.size, x->d.hdr };
	char why[64];

	if (ev == FD_HEAD)
		return emit_head(&x->em, &m);
	if (ev == FD_END) {
		x->got++;
		return emit_end(&x->em, &m);
	}
	snprintf(why, sizeof why, "is larger than --max-size %llu",
		 (unsigned long long)x->o->max);
	return malformed(x, at, why);
}

/* Decode and deliver buf[0..n): whole lines by the fast path wherever a
 * frame begins, the rest event by event.  Returns 0 or an exit status. */
static int take(struct rx *x, size_t n)
{
	const unsigned char *data;
	enum fdec_event ev;
	size_t pos = 0, dlen;
	int r = 0;

	while (!r) {
		if (fdec_idle(&x->d) && emit_has_lines(&x->em))
			pos += emit_whole_lines(&x->em, x->buf + pos, n - pos,
						x->o->max, &x->got);
		pos += fdec_feed(&x->d, x->buf + pos, n - pos, &ev, &data,
				 &dlen);
		if (ev == FD_NEED)
			break;
		if (ev == FD_DATA)
			r = emit_data(&x->em, data, dlen);
		else
			r = take_edge(x, ev, x->off + pos);
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
			snprintf(why, sizeof why, "cut short after %llu of "
				 "them (last writer left)", (unsigned long long)
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
	if (k == IO_GONE && !x->out.err)
		x->out.err = EPIPE;	/* stdout's reader left */
	return FM_OK;
}

/* Deliver what is whole, clean up, and turn r into the exit status. */
static int end_receive(struct rx *x, int r)
{
	out_flush(&x->out);
	out_drop_partial(&x->out);	/* part of a message cut short */
	emit_abort(&x->em);	/* and a command still reading one dies */
	if (x->o->verbose)
		print_summary(x->got, NULL, io_now() - x->t0);
	pipe_close(&x->pf);
	if (x->out.err == EPIPE)
		return 141;	/* as if killed by SIGPIPE, without the noise */
	if (x->out.err) {
		errno = x->out.err;
		warn_("write error on standard output");
		return FM_FAIL;
	}
	io_die_by_signal();
	if (x->em.cmd_failed && r == FM_OK)
		r = FM_FAIL;	/* like xargs: say that some command failed */
	return r;
}

/* Take the reader lock: -1 to go on, or an exit status. */
static int lock(struct rx *x, int64_t dl)
{
	int k = io_lock_reader(x->pf.fd, dl);

	if (k == 0)
		return -1;
	if (k == IO_TIMEOUT)
		warnx_("%s: timed out: another reader is using it",
		       x->o->path);
	else if (k == IO_ERR)
		warn_("%s: lock", x->o->path);
	return end_receive(x, k == IO_TIMEOUT ? FM_TIMEOUT :
			      k == IO_STOP ? FM_OK : FM_FAIL);
}

/* Read and deliver until COUNT messages, a stop, an end or an error. */
static int read_loop(struct rx *x, int64_t dl)
{
	const struct rxopt *o = x->o;
	int empty = 0, partial, r;
	size_t want;
	ssize_t k;

	for (;;) {
		if (x->got >= o->count)
			return FM_OK;
		partial = fdec_partial(&x->d);
		if (!partial && (io_stop || out_ended(&x->out)))
			return FM_OK;
		if (!partial && x->pf.keep < 0 && !o->eof &&
		    pipe_keep(&x->pf)) {
			warn_("%s", o->path);
			return FM_FAIL;
		}
		if (partial && x->out.err)
			io_watch(-1);	/* read the frame to its end anyway */
		/* --exec reads one message at a time: a command that fails
		 * with --stop-on-error must leave the next one in the pipe.
		 * After a stop, only the rest of this frame is read. */
		want = read_bound(&x->d, o->exec || io_stop || x->out.err ?
					 1 : o->count - x->got);
		k = io_read(x->pf.fd, x->buf, want, partial ? -1 : dl,
			    partial, empty, before_sleep, x);
		if (k <= 0)
			return no_data(x, k);
		empty = (size_t)k < want;
		if (o->timeout >= 0)
			dl = io_deadline(o->timeout);
		if ((r = take(x, (size_t)k)))
			return r;
	}
}

int receive(const struct rxopt *o)
{
	static struct rx x;	/* 128 KiB of buffers: not on the stack */
	int64_t dl = io_deadline(o->timeout);
	int r;

	io_signals();
	memset(&x, 0, sizeof x);
	x.o = o;
	x.t0 = io_now();
	x.pf.path = o->path;
	x.pf.follow = o->follow;
	/* -e needs to see the last writer go: no write end of our own. */
	if (o->fd >= 0)
		pipe_adopt(&x.pf, o->fd, !o->eof);
	else if (pipe_open(&x.pf, o->create, o->mode, !o->eof))
		return FM_FAIL;
	out_init(&x.out, STDOUT_FILENO);
	emit_init(&x.em, o->format, &x.out, o->exec, o->stop_on_error);
	if ((r = lock(&x, dl)) >= 0)
		return r;
	fdec_init(&x.d, o->max);
	/* --exec: what the command writes is its own business. */
	if (!o->exec)
		io_watch(STDOUT_FILENO);
	return end_receive(&x, read_loop(&x, dl));
}
