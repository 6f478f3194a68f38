#include "compat.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "scan.h"

static int json_head(struct emit *e, const struct rxmsg *m)
{
	(void)m;
	out_put(e->out, "\"", 1);
	return 0;
}

/* Escape in pieces that fit a bounded buffer. */
static void json_put(struct emit *e, const unsigned char *p, size_t n,
		     int last)
{
	char tmp[JSON_MAX_OUT(4096)];

	do {
		size_t k = n < 4096 ? n : 4096;
		size_t m = json_escape(&e->js, p, k, last && k == n, tmp);
		out_put(e->out, tmp, m);
		p += k;
		n -= k;
	} while (n);
}

static int json_data(struct emit *e, const unsigned char *p, size_t n)
{
	json_put(e, p, n, 0);
	return 0;
}

static int json_end(struct emit *e, const struct rxmsg *m)
{
	(void)m;
	json_put(e, (const unsigned char *)"", 0, 1);
	out_put(e->out, "\"\n", 2);
	out_commit(e->out);
	return 0;
}

static int exec_head(struct emit *e, const struct rxmsg *m)
{
	out_flush(e->out);	/* what we printed comes before its output */
	return exec_start(&e->kid, e->cmd, m->pipe, m->seq, m->len) ?
	       FM_FAIL : 0;
}

/* A first stop signal lets the command have its whole message. */
static int exec_data(struct emit *e, const unsigned char *p, size_t n)
{
	return exec_feed(&e->kid, p, n) ? FM_FAIL : 0;
}

static int exec_end(struct emit *e, const struct rxmsg *m)
{
	switch (exec_wait(&e->kid, m->seq)) {
	case 0:
		return 0;
	case IO_STOP:	/* a second signal: we exit by it */
		return FM_FAIL;
	default:
		e->cmd_failed = 1;
		return e->stop_on_error ? FM_FAIL : 0;
	}
}

/* --format.  A payload named twice is kept as it passes (struct keep) and
 * read back by the template for its second and later directives. */

/* An unlinked temporary file: gone with the process however it ends. */
static int spill_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof path, "%s/fifomsg.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		warn_("temporary file in %s", dir);
		return -1;
	}
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Make room for a payload of len bytes: 0, or FM_FAIL once reported. */
static int keep_start(struct keep *k, uint64_t len)
{
	size_t cap = k->cap ? k->cap : 4096;
	unsigned char *p;

	k->len = 0;
	k->infile = len > EMIT_KEEP_MEM;
	if (k->infile) {
		if (k->fd < 0 && (k->fd = spill_open()) < 0)
			return FM_FAIL;
		return 0;
	}
	if (len <= k->cap)
		return 0;
	while (cap < len)
		cap *= 2;
	p = realloc(k->mem, cap);
	if (!p) {
		warn_("payload of %llu bytes", (unsigned long long)len);
		return FM_FAIL;
	}
	k->mem = p;
	k->cap = cap;
	return 0;
}

static int keep_put(struct keep *k, const unsigned char *p, size_t n)
{
	ssize_t w;

	if (!k->infile) {
		memcpy(k->mem + k->len, p, n);
		k->len += n;
		return 0;
	}
	for (; n; p += w, n -= (size_t)w, k->len += (uint64_t)w) {
		w = pwrite(k->fd, p, n, (off_t)k->len);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w <= 0) {
			warn_("temporary file");
			return FM_FAIL;
		}
	}
	return 0;
}

/* The template's reread callback. */
static int keep_get(void *ctx, uint64_t off, void *buf, size_t n)
{
	struct keep *k = ctx;
	unsigned char *b = buf;
	ssize_t r;

	if (!k->infile) {
		memcpy(b, k->mem + off, n);
		return 0;
	}
	for (; n; b += r, n -= (size_t)r, off += (uint64_t)r) {
		r = pread(k->fd, b, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			r = 0;
		else if (r <= 0) {
			warn_("temporary file");
			return -1;
		}
	}
	return 0;
}

static void tpl_put(void *ctx, const void *p, size_t n)
{
	out_put(ctx, p, n);
}

static int tpl_head(struct emit *e, const struct rxmsg *m)
{
	struct tpl_sink sink = { tpl_put, e->out };

	e->tm.len = m->len;
	e->tm.pipe = m->pipe;
	e->tm.seq = m->seq;
	clock_gettime(CLOCK_REALTIME, &e->tm.at);
	if (e->tpl->npayload > 1) {
		if (keep_start(&e->keep, m->len))
			return FM_FAIL;
		e->tm.reread = keep_get;
		e->tm.rctx = &e->keep;
	}
	tpl_begin(&e->run, e->tpl, &e->tm, sink);
	return 0;
}

static int tpl_piece(struct emit *e, const unsigned char *p, size_t n)
{
	if (e->tpl->npayload > 1 && keep_put(&e->keep, p, n))
		return FM_FAIL;
	tpl_data(&e->run, p, n);
	return 0;
}

static int tpl_finish(struct emit *e, const struct rxmsg *m)
{
	(void)m;
	if (tpl_end(&e->run))
		return FM_FAIL;	/* reported by keep_get */
	out_commit(e->out);
	return 0;
}

static const struct format lines = { NULL, NULL, NULL, '\n', 0 };
static const struct format nul = { NULL, NULL, NULL, '\0', 0 };
static const struct format raw = { NULL, NULL, NULL, -1, 1 };
static const struct format json = { json_head, json_data, json_end, -1, 0 };
static const struct format cmd = { exec_head, exec_data, exec_end, -1, 0 };
static const struct format tmpl = { tpl_head, tpl_piece, tpl_finish, -1, 0 };

void emit_init(struct emit *e, int fmt, struct out *out, const char *cmdline,
	       int stop_on_error)
{
	memset(e, 0, sizeof *e);
	e->f = fmt == '0' ? &nul : fmt == 'r' ? &raw : fmt == 'j' ? &json :
	       fmt == 'x' ? &cmd : &lines;
	e->fast = e->f == &lines || e->f == &nul || e->f == &raw ||
		  e->f == &json;
	e->out = out;
	e->cmd = cmdline;
	e->stop_on_error = stop_on_error;
	e->keep.fd = -1;
}

void emit_template(struct emit *e, const struct tpl *t)
{
	int delim = tpl_delim(t);

	e->tpl = t;
	e->f = &tmpl;
	e->fast = 0;
	if (delim >= 0) {	/* costs nothing over plain lines */
		e->own = (struct format){ NULL, NULL, NULL, delim, 0 };
		e->f = &e->own;
		e->fast = 1;
	}
}

void emit_abort(struct emit *e)
{
	exec_abort(&e->kid);
	free(e->keep.mem);
	e->keep.mem = NULL;
	e->keep.cap = 0;
	if (e->keep.fd >= 0)
		close(e->keep.fd);
	e->keep.fd = -1;
}

/* Raw frames go out as they came: a run of whole frames is one copy (or
 * one write, when it is larger than the output buffer). */
static size_t whole_frames(struct emit *e, const unsigned char *buf,
			   size_t n, uint64_t max, uint64_t *got)
{
	size_t pos = 0;
	uint64_t msgs = 0;
	int64_t len;

	while ((len = frame_whole(buf + pos, n - pos, max)) >= 0) {
		pos += FRAME_HDR + (size_t)len;
		msgs++;
	}
	if (msgs) {
		out_put(e->out, buf, pos);
		out_commit(e->out);
		*got += msgs;
	}
	return pos;
}

/* --json: each whole frame escaped straight into the output buffer; a
 * message that may not fit is left to the decoder and json_put(). */
static size_t whole_json(struct emit *e, const unsigned char *buf,
			 size_t n, uint64_t max, uint64_t *got)
{
	struct out *o = e->out;
	unsigned char *dst;
	size_t pos = 0, k, m;
	uint64_t msgs = 0;
	int64_t len;

	while ((len = frame_whole(buf + pos, n - pos, max)) >= 0) {
		k = (size_t)len;
		if (!(dst = out_room(o, JSON_MAX_OUT(k) + 3)))
			break;
		dst[0] = '"';
		m = json_escape(&e->js, buf + pos + FRAME_HDR, k, 1,
				(char *)dst + 1);
		memcpy(dst + 1 + m, "\"\n", 2);
		out_fill(o, m + 3);
		pos += FRAME_HDR + k;
		msgs++;
	}
	if (msgs) {
		out_commit(o);
		*got += msgs;
	}
	return pos;
}

_Static_assert(OUT_SLACK >= SCAN_SLACK, "out.h: room for scan_move()");

/* The output position and count stay in locals and are stored once at
 * the end: every message between is whole, so one commit there is the
 * same as one per message (out.h) as long as nothing is written out in
 * between; when a message does not fit, the buffer is brought up to date
 * and committed before out_put() writes it out. */
size_t emit_whole_lines(struct emit *e, const unsigned char *buf, size_t n,
			uint64_t max, uint64_t *got)
{
	struct out *o = e->out;
	unsigned char delim = (unsigned char)e->f->delim, *dst, *end;
	const unsigned char *p;
	size_t pos = 0, k;
	uint64_t msgs = 0;
	int64_t len;

	if (!emit_has_lines(e))
		return 0;
	if (e->f->raw)
		return whole_frames(e, buf, n, max, got);
	if (e->f == &json)
		return whole_json(e, buf, n, max, got);
	dst = o->buf + o->len;
	end = o->buf + OUT_BUFSZ;
	while ((len = frame_whole(buf + pos, n - pos, max)) >= 0) {
		p = buf + pos + FRAME_HDR;
		k = (size_t)len;
		pos += FRAME_HDR + k;
		msgs++;
		if (k >= (size_t)(end - dst)) {		/* no room for k + 1 */
			o->len = (size_t)(dst - o->buf);
			out_commit(o);
			out_put(o, p, k);
			out_put(o, &delim, 1);
			dst = o->buf + o->len;
			continue;
		}
		/* The moves read up to 15 bytes past the payload: only
		 * where those are bytes of buf[0..n) too. */
		if (n - pos >= SCAN_SLACK)
			scan_put(dst, p, k);
		else
			memcpy(dst, p, k);
		dst[k] = delim;
		dst += k + 1;
	}
	o->len = (size_t)(dst - o->buf);
	if (msgs)
		out_commit(o);
	*got += msgs;
	return pos;
}
