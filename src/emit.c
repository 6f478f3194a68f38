#include "compat.h"
#include <stddef.h>
#include <string.h>

#include "emit.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"

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
	e->out = out;
	e->cmd = cmdline;
	e->stop_on_error = stop_on_error;
}

void emit_abort(struct emit *e)
{
	exec_abort(&e->kid);
}

size_t emit_whole_lines(struct emit *e, const unsigned char *buf, size_t n,
			uint64_t max, uint64_t *got)
{
	struct out *o = e->out;
	unsigned char delim = (unsigned char)e->f->delim, *dst;
	size_t pos = 0;
	int64_t len;

	if (!emit_has_lines(e))
		return 0;
	while ((len = frame_whole(buf + pos, n - pos, max)) >= 0) {
		const unsigned char *p = buf + pos + FRAME_HDR;
		size_t k = (size_t)len;

		dst = out_room(o, k + 1);
		if (dst) {
			memcpy(dst, p, k);
			dst[k] = delim;
			out_fill(o, k + 1);
		} else {
			out_put(o, p, k);
			out_put(o, &delim, 1);
		}
		out_commit(o);
		pos += FRAME_HDR + k;
		++*got;
	}
	return pos;
}
