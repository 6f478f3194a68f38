#include "compat.h"
#include <stddef.h>
#include <string.h>

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
	return exec_start(&e->kid, e->cmd, m->pipe, m->seq) ? FM_FAIL : 0;
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

static const struct format lines = { NULL, NULL, NULL, '\n', 0 };
static const struct format nul = { NULL, NULL, NULL, '\0', 0 };
static const struct format raw = { NULL, NULL, NULL, -1, 1 };
static const struct format json = { json_head, json_data, json_end, -1, 0 };
static const struct format cmd = { exec_head, exec_data, exec_end, -1, 0 };

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
}

void emit_abort(struct emit *e)
{
	exec_abort(&e->kid);
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

/* Payloads up to this long are copied in 16-byte moves (scan_move) where
 * a memcpy() call would cost more than the copy; longer ones by memcpy. */
#define SHORT_MOVE 64
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
		if (k <= 16 && n - pos >= SCAN_SLACK)
			memcpy(dst, p, 16);	/* one move, inlined */
		else if (k <= SHORT_MOVE && n - pos >= SCAN_SLACK)
			scan_move(dst, p, k);
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
