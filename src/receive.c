/* The receiving side shared by recv and listen: the read loop.  Their
 * options are parsed in rxopt.c, output buffering lives in out.c, the
 * formats in emit.c, the FIFO's opening, keeping and removal in
 * pipefile.c.
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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "out.h"
#include "pipefile.h"
#include "receive.h"

#define READSZ (64 * 1024)

/* One pipe being read: each has its own decoder, so frames from
 * different pipes never mix. */
struct rxpipe {
	struct pipefile pf;
	struct fdec d;
	uint64_t off;		/* bytes taken from it and decoded */
	dev_t dev;		/* which FIFO it is: for the lock order */
	ino_t ino;		/* and to refuse one given twice */
	int full;		/* the last read filled what was asked */
	int ended;		/* its last writer left (-e) */
};

/* The reader's state. */
struct rx {
	const struct rxopt *o;
	struct rxpipe *p;	/* the pipes, in command-line order */
	struct pollfd *pfd;	/* n + 2 entries, for io_poll() */
	int n;			/* pipes */
	int live;		/* pipes not ended */
	int cur;		/* the pipe whose frame is half-read, or -1 */
	int next;		/* round robin: the pipe to look at first */
	struct emit em;
	struct out out;
	uint64_t got;		/* messages taken whole */
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

/* What the next read of p may ask for.  --exec reads one message at a
 * time: a command that fails with --stop-on-error must leave the next one
 * in the pipe.  After a stop, only the rest of this frame is read. */
static size_t bound(const struct rx *x, const struct rxpipe *p)
{
	const struct rxopt *o = x->o;

	return read_bound(&p->d, o->exec || io_stop || x->out.err ?
				 1 : o->count - x->got);
}

/* Runs before io_read() sleeps in the middle of a frame: whole messages
 * go out, and our own write end goes, so that the end of file can say
 * the frame's writer left. */
static int before_sleep(void *p)
{
	struct rx *x = p;

	pipe_unkeep(&x->p[x->cur].pf);
	out_flush(&x->out);
	return 0;
}

/* "PIPE: malformed stream at byte N: ...": N is where the bad frame began,
 * counted in the bytes this reader took from the pipe (at: up to here). */
static int malformed(const struct rxpipe *p, uint64_t at, const char *why)
{
	const struct fdec *d = &p->d;

	at -= fdec_taken(d);
	if (d->body || d->hlen == FRAME_HDR)
		warnx_("%s: malformed stream at byte %llu: frame of %lu bytes "
		       "%s", p->pf.path, (unsigned long long)at,
		       (unsigned long)d->size, why);
	else
		warnx_("%s: malformed stream at byte %llu: frame header "
		       "%s", p->pf.path, (unsigned long long)at, why);
	return FM_MALFORMED;
}

/* A message's header or end, passed to the format; at: the bytes taken up
 * to here, for a malformed stream's offset. */
static int take_edge(struct rx *x, struct rxpipe *p, enum fdec_event ev,
		     uint64_t at)
{
	struct rxmsg m = { p->pf.path, x->got + 1, p->d.size, p->d.hdr };
	char why[64];

	if (ev == FD_HEAD)
		return emit_head(&x->em, &m);
	if (ev == FD_END) {
		x->got++;
		return emit_end(&x->em, &m);
	}
	snprintf(why, sizeof why, "is larger than --max-size %llu",
		 (unsigned long long)x->o->max);
	return malformed(p, at, why);
}

/* Decode and deliver buf[0..n) from p: whole lines by the fast path
 * wherever a frame begins, the rest event by event.  Returns 0 or an
 * exit status. */
static int take(struct rx *x, struct rxpipe *p, size_t n)
{
	const unsigned char *data;
	enum fdec_event ev;
	size_t pos = 0, dlen;
	int r = 0;

	while (!r) {
		if (fdec_idle(&p->d) && emit_has_lines(&x->em))
			pos += emit_whole_lines(&x->em, x->buf + pos, n - pos,
						x->o->max, &x->got);
		pos += fdec_feed(&p->d, x->buf + pos, n - pos, &ev, &data,
				 &dlen);
		if (ev == FD_NEED)
			break;
		if (ev == FD_DATA)
			r = emit_data(&x->em, data, dlen);
		else
			r = take_edge(x, p, ev, p->off + pos);
	}
	p->off += n;
	return r;
}

/* The read ended without data: k is 0 (end of file) or an IO_ code;
 * p is the pipe read, or NULL for a wait on all of them. */
static int no_data(struct rx *x, const struct rxpipe *p, ssize_t k)
{
	const struct rxopt *o = x->o;
	char why[64];

	if (k == 0 && fdec_partial(&p->d)) {
		if (p->d.body)
			snprintf(why, sizeof why, "cut short after %llu of "
				 "them (last writer left)", (unsigned long long)
				 (p->d.size - p->d.left));
		else
			snprintf(why, sizeof why, "cut short after %u of %d "
				 "bytes (last writer left)", p->d.hlen,
				 FRAME_HDR);
		return malformed(p, p->off, why);
	}
	if (k == IO_TIMEOUT && (!o->listen || o->count != UINT64_MAX)) {
		warnx_("timed out after %llu of %llu messages",
		       (unsigned long long)x->got,
		       (unsigned long long)o->count);
		return FM_TIMEOUT;
	}
	if (k == IO_ERR) {
		warn_("%s", p ? p->pf.path : "poll");
		return FM_FAIL;
	}
	if (k == IO_GONE && !x->out.err)
		x->out.err = EPIPE;	/* stdout's reader left */
	return FM_OK;
}

/* Close every pipe (removing those -c made) and forget them. */
static void close_pipes(struct rx *x)
{
	for (int i = 0; i < x->n; i++)
		pipe_close(&x->p[i].pf);
	free(x->p);
	free(x->pfd);
	x->p = NULL;
	x->pfd = NULL;
	x->n = 0;
}

/* Deliver what is whole, clean up, and turn r into the exit status. */
static int end_receive(struct rx *x, int r)
{
	out_flush(&x->out);
	out_drop_partial(&x->out);	/* part of a message cut short */
	emit_abort(&x->em);	/* and a command still reading one dies */
	if (x->o->verbose)
		print_summary(x->got, NULL, io_now() - x->t0);
	close_pipes(x);
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

/* Locks are taken in the order of the FIFOs' identities, not of the
 * command line: two readers of the same pipes named in another order
 * would otherwise each hold one lock and wait for the other's. */
static int before(const struct rxpipe *a, const struct rxpipe *b)
{
	return a->dev != b->dev ? a->dev < b->dev : a->ino < b->ino;
}

/* Take the reader lock of every pipe: -1 to go on, or an exit status. */
/* The pipe after last in lock order (the first if last is NULL); NULL
 * when none is left. */
static struct rxpipe *next_in_order(struct rx *x, const struct rxpipe *last)
{
	struct rxpipe *p = NULL;

	for (int i = 0; i < x->n; i++)
		if ((!last || before(last, &x->p[i])) &&
		    (!p || before(&x->p[i], p)))
			p = &x->p[i];
	return p;
}

static int lock(struct rx *x, int64_t dl)
{
	struct rxpipe *p = NULL;
	int k = 0;

	while (k == 0 && (p = next_in_order(x, p)) != NULL)
		k = p->pf.nolock ? 0 : io_lock_reader(p->pf.fd, dl);
	if (k == 0 || !p)
		return -1;
	if (k == IO_TIMEOUT)
		warnx_("%s: timed out: another reader is using it",
		       p->pf.path);
	else if (k == IO_ERR)
		warn_("%s: lock", p->pf.path);
	return end_receive(x, k == IO_TIMEOUT ? FM_TIMEOUT :
			      k == IO_STOP ? FM_OK : FM_FAIL);
}

/* k bytes came from pipe i: deliver them.  A frame left half-read makes
 * i the current pipe until it ends; then its write end is ours again.
 * Returns -1 to go on, or an exit status. */
static int got_data(struct rx *x, int i, ssize_t k, int64_t *dl)
{
	struct rxpipe *p = &x->p[i];
	int r;

	if (x->o->timeout >= 0)
		*dl = io_deadline(x->o->timeout);
	if ((r = take(x, p, (size_t)k)))
		return r;
	if (fdec_partial(&p->d)) {
		x->cur = i;
		return -1;
	}
	x->cur = -1;
	if (p->pf.keep < 0 && !x->o->eof && pipe_keep(&p->pf)) {
		warn_("%s", p->pf.path);
		return FM_FAIL;
	}
	return -1;
}

/* Finish the frame half-read on the current pipe, as one pipe alone
 * would: nothing from the other pipes comes between the pieces of one
 * message, and a stop or -t does not cut it short.  (A writer that
 * stalls in the middle of a frame thus holds up the other pipes too.) */
static int read_frame(struct rx *x, int64_t *dl)
{
	struct rxpipe *p = &x->p[x->cur];
	size_t want = bound(x, p);
	ssize_t k;

	/* With other pipes waiting, no more than the frame: reads that end
	 * in the middle of the next one would keep this pipe current. */
	if (x->n > 1 && want > fdec_want(&p->d))
		want = fdec_want(&p->d);

	if (x->out.err)
		io_watch(-1);	/* read the frame to its end anyway */
	k = io_read(p->pf.fd, x->buf, want, -1, 1, !p->full || p->pf.block,
		    before_sleep, x);
	if (k <= 0)
		return no_data(x, p, k);
	p->full = (size_t)k == want;
	return got_data(x, x->cur, k, dl);
}

/* Mark in x->pfd the pipes that have something to read; if none is known
 * to, print what is whole and sleep until one has.  One pipe whose last
 * read was full is read again without asking.  -1 to go on, or an exit
 * status. */
static int wait_ready(struct rx *x, int64_t dl)
{
	int i, k, any = 0;

	for (i = 0; i < x->n; i++) {
		x->pfd[i] = (struct pollfd){ x->p[i].ended ? -1 :
					     x->p[i].pf.fd, POLLIN, 0 };
		any |= x->p[i].full;
	}
	if (x->n == 1 && any) {
		x->pfd[0].revents = POLLIN;
		return -1;
	}
	if (!any && out_flush(&x->out))
		return FM_OK;	/* end_receive() says why */
	k = io_poll(x->pfd, x->n, any ? 0 : dl, 0);
	for (i = 0; i < x->n; i++)
		x->p[i].full = 0;
	if (k == 1 || k == IO_STOP || (k == 0 && any))
		return -1;
	return no_data(x, NULL, k == 0 ? IO_TIMEOUT : k);
}

/* One read from pipe i, which poll() says is ready: -1 to go on, or an
 * exit status. */
static int read_ready(struct rx *x, int i, int64_t *dl)
{
	struct rxpipe *p = &x->p[i];
	size_t want = bound(x, p);
	/* A deadline already passed: read what is there, never wait. */
	ssize_t k = io_read(p->pf.fd, x->buf, want, 0, 0, 0, NULL, NULL);

	if (k == IO_TIMEOUT || k == IO_STOP)
		return -1;	/* nothing after all, or a stop: seen above */
	if (k == 0) {		/* its last writer left (-e), or stdin ended */
		p->ended = 1;
		if (--x->live)
			return -1;
		if (x->o->listen)
			return FM_OK;
		warnx_("%s: end of input after %llu of %llu messages",
		       p->pf.path, (unsigned long long)x->got,
		       (unsigned long long)x->o->count);
		return FM_FAIL;
	}
	if (k < 0)
		return no_data(x, p, k);
	p->full = (size_t)k == want;
	return got_data(x, i, k, dl);
}

/* One pass over the pipes at a frame boundary: one read from each that
 * is ready, in turn from where the last pass stopped, so a busy pipe
 * keeps no other waiting longer than one read.  A pass ends early at a
 * half-read frame (finished first), a stop, or the count reached. */
static int read_pass(struct rx *x, int64_t *dl)
{
	int i, r;

	if ((r = wait_ready(x, *dl)) >= 0)
		return r;
	for (int j = 0; j < x->n; j++) {
		i = (x->next + j) % x->n;
		if (!x->pfd[i].revents)
			continue;
		if ((r = read_ready(x, i, dl)) >= 0)
			return r;
		if (x->cur >= 0 || io_stop || out_ended(&x->out) ||
		    x->got >= x->o->count) {
			x->next = (i + 1) % x->n;
			return -1;
		}
	}
	return -1;
}

/* Read and deliver until COUNT messages, a stop, an end or an error.
 * recv's bound holds over all the pipes: only one frame is ever half-read,
 * and every read asks for no more than the messages still to take. */
static int read_loop(struct rx *x, int64_t dl)
{
	int r;

	for (;;) {
		if (x->got >= x->o->count)
			return FM_OK;
		if (x->cur >= 0)
			r = read_frame(x, &dl);
		else if (io_stop || out_ended(&x->out))
			return FM_OK;
		else
			r = read_pass(x, &dl);
		if (r >= 0)
			return r;
	}
}

/* Open one pipe.  -e needs to see the last writer go: no write end of
 * our own then. */
static int open_one(const struct rxopt *o, struct rxpipe *p,
		    const char *path)
{
	struct stat st;

	p->pf.path = path;
	p->pf.follow = o->follow;
	if (o->fd >= 0)
		pipe_adopt(&p->pf, o->fd, !o->eof);
	else if (pipe_open(&p->pf, o->create, o->mode, !o->eof))
		return -1;
	if (fstat(p->pf.fd, &st) < 0) {
		warn_("%s", path);
		return -1;
	}
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	return 0;
}

/* Open every pipe, and refuse one FIFO given under two names (the reader
 * lock of the second would wait for the first's).  -1 to go on, or an
 * exit status, with nothing left open. */
static int open_pipes(struct rx *x)
{
	const struct rxopt *o = x->o;
	int n = o->npipes > 0 ? o->npipes : 1, i, j;

	x->p = calloc((size_t)n, sizeof *x->p);
	x->pfd = calloc((size_t)n + 2, sizeof *x->pfd);
	if (!x->p || !x->pfd) {
		warn_("out of memory");
		close_pipes(x);
		return FM_FAIL;
	}
	for (i = 0; i < n; i++, x->n++)
		if (open_one(o, &x->p[i], o->npipes ? o->paths[i] : o->path)) {
			close_pipes(x);
			return FM_FAIL;
		}
	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (x->p[i].dev == x->p[j].dev &&
			    x->p[i].ino == x->p[j].ino) {
				warnx_("%s and %s are the same pipe",
				       x->p[j].pf.path, x->p[i].pf.path);
				close_pipes(x);
				return FM_USAGE;
			}
	x->live = n;
	return -1;
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
	x.cur = -1;
	if ((r = open_pipes(&x)) >= 0)
		return r;
	out_init(&x.out, STDOUT_FILENO);
	emit_init(&x.em, o->format, &x.out, o->exec, o->stop_on_error);
	if (o->format == 'f')
		emit_template(&x.em, &o->tpl);
	if ((r = lock(&x, dl)) >= 0)
		return r;
	for (int i = 0; i < x.n; i++)
		fdec_init(&x.p[i].d, o->max);
	/* --exec: what the command writes is its own business. */
	if (!o->exec)
		io_watch(STDOUT_FILENO);
	return end_receive(&x, read_loop(&x, dl));
}
