/* Buffered standard output for the receivers, in whole messages.  It
 * knows nothing of pipes or frames: the caller says where a message ends
 * (out_commit), and only whole messages go out while the caller waits
 * (out_flush); what follows the last commit is dropped at the end, so a
 * message cut short never shows up as a shorter one.  A message larger
 * than the buffer streams out as it comes.
 *
 * Stop-safe: a first stop signal does not interrupt a write, so every
 * message taken is written however slow the reader; a second one gives
 * output up (stopped).  EPIPE is an error like any other here (err); the
 * caller decides that it means a quiet exit. */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <string.h>

#define OUT_BUFSZ (64 * 1024)
/* Bytes past OUT_BUFSZ that a fast path copying in 16-byte moves
 * (scan_move) may scribble on: room, never data. */
#define OUT_SLACK 16

struct out {
	int fd;
	int err;		/* errno of the write that failed, or 0 */
	int stopped;		/* a second signal: output given up */
	size_t len;		/* bytes in buf */
	size_t whole;		/* buf[0..whole) ends with a whole message */
	unsigned char buf[OUT_BUFSZ + OUT_SLACK];
};

void out_init(struct out *o, int fd);
/* out_put's way when the bytes do not fit the buffer. */
void out_put_big(struct out *o, const void *p, size_t n);

/* Append n bytes (written out at once if they do not fit).  Inline: it
 * runs for every piece of every message. */
static inline void out_put(struct out *o, const void *p, size_t n)
{
	if (n > OUT_BUFSZ - o->len) {
		out_put_big(o, p, n);
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* Write out the whole messages buffered; returns o->err. */
int out_flush(struct out *o);
/* Forget what follows the last whole message. */
void out_drop_partial(struct out *o);

/* The message appended last is whole. */
static inline void out_commit(struct out *o)
{
	o->whole = o->len;
}

/* Nonzero once nothing more can be written. */
static inline int out_ended(const struct out *o)
{
	return o->err || o->stopped;
}

/* n bytes of room in the buffer to fill directly (then out_fill), or NULL
 * if they do not fit: for fast paths that copy as they go. */
static inline unsigned char *out_room(struct out *o, size_t n)
{
	return n <= OUT_BUFSZ - o->len ? o->buf + o->len : NULL;
}

static inline void out_fill(struct out *o, size_t n)
{
	o->len += n;
}

#endif
