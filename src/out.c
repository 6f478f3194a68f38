#include "compat.h"
#include <errno.h>
#include <string.h>

#include "io.h"
#include "out.h"

void out_init(struct out *o, int fd)
{
	o->fd = fd;
	o->err = 0;
	o->stopped = 0;
	o->len = 0;
	o->whole = 0;
}

/* Write p[0..n), unless output has already ended.  finish = 1: a first
 * stop signal must not cost messages already taken. */
static void write_out(struct out *o, const void *p, size_t n)
{
	int r;

	if (out_ended(o))
		return;
	r = io_write_all(o->fd, p, n, -1, 1, NULL);
	if (r == IO_STOP)
		o->stopped = 1;
	else if (r == IO_GONE)
		o->err = EPIPE;
	else if (r)
		o->err = errno ? errno : EIO;
}

/* Write out the first n bytes of the buffer and keep the rest. */
static void write_head(struct out *o, size_t n)
{
	if (n == 0)
		return;
	write_out(o, o->buf, n);
	memmove(o->buf, o->buf + n, o->len - n);
	o->len -= n;
	o->whole = o->whole > n ? o->whole - n : 0;
}

int out_flush(struct out *o)
{
	write_head(o, o->whole);
	return o->err;
}

void out_drop_partial(struct out *o)
{
	o->len = o->whole;
}

void out_put_big(struct out *o, const void *p, size_t n)
{
	write_head(o, o->len);
	if (n >= OUT_BUFSZ) {
		write_out(o, p, n);
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}
