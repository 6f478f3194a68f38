/* The output formats of recv and listen: what goes out at a message's
 * header, with each piece of its payload as it arrives, and at its end.
 * A format sees a message only through struct rxmsg, never the pipe or
 * the decoder, so one more format (a --format template rendering payload,
 * length, pipe, sequence number and arrival time) is one more entry in
 * emit.c's table, and messages from several pipes can share one output. */
#ifndef EMIT_H
#define EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "exec.h"
#include "frame.h"
#include "json.h"
#include "out.h"

/* What a format may know of a message. */
struct rxmsg {
	const char *pipe;		/* the pipe it came from */
	uint64_t seq;			/* its number, from 1 */
	uint64_t len;			/* payload bytes */
	const unsigned char *hdr;	/* its frame header, as read */
};

struct emit;

/* A format.  The plain ones (lines, NUL, raw frames) are described by
 * data alone, so that their every-piece path is inline: the payload as it
 * is, the frame header first if raw, and delim (if not -1) after it.
 * The others give hooks: what to do at a message's header, with each
 * piece of its payload, and at its end (NULL: as a plain format would).
 * A hook returns 0 or an exit status to stop with (after a second signal
 * the caller exits by the signal, whatever it is). */
struct format {
	int (*head)(struct emit *, const struct rxmsg *);
	int (*data)(struct emit *, const unsigned char *, size_t);
	int (*end)(struct emit *, const struct rxmsg *);
	int delim;		/* the byte after each message, or -1 */
	int raw;		/* the frame header before each message */
};

struct emit {
	const struct format *f;
	struct out *out;
	int fast;			/* emit_whole_lines() takes it */
	const char *cmd;		/* --exec CMD */
	int stop_on_error;		/* --stop-on-error */
	int cmd_failed;			/* some command failed */
	struct json js;			/* --json: a UTF-8 sequence cut */
	struct child kid;		/* --exec: the command running */
};

/* fmt: '\n' lines, '0' NUL-ended, 'r' raw frames, 'j' JSON, 'x' --exec. */
void emit_init(struct emit *e, int fmt, struct out *out, const char *cmd,
	       int stop_on_error);

static inline int emit_head(struct emit *e, const struct rxmsg *m)
{
	if (e->f->head)
		return e->f->head(e, m);
	if (e->f->raw)
		out_put(e->out, m->hdr, FRAME_HDR);
	return 0;
}

static inline int emit_data(struct emit *e, const unsigned char *p,
			    size_t n)
{
	if (e->f->data)
		return e->f->data(e, p, n);
	out_put(e->out, p, n);
	return 0;
}

static inline int emit_end(struct emit *e, const struct rxmsg *m)
{
	unsigned char c;

	if (e->f->end)
		return e->f->end(e, m);
	if (e->f->delim >= 0) {
		c = (unsigned char)e->f->delim;
		out_put(e->out, &c, 1);
	}
	out_commit(e->out);
	return 0;
}

/* Whether emit_whole_lines() can take anything. */
static inline int emit_has_lines(const struct emit *e)
{
	return e->fast;
}

/* The message will not be completed: kill a command reading it. */
void emit_abort(struct emit *e);

/* The fast path of lines, '0', raw frames and --json (see
 * emit_has_lines): print the whole frames at the start of buf[0..n)
 * whose payload is at most max, and stop at the first frame that is not whole or too big,
 * for the decoder to deal with.  Call only at a frame boundary.  Returns
 * the bytes taken and adds the messages to *got. */
size_t emit_whole_lines(struct emit *e, const unsigned char *buf, size_t n,
			uint64_t max, uint64_t *got);

#endif
