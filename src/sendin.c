/* See sendin.h.  Input is read with io_read_in(), which lets a stop
 * signal end the wait, except while a frame written in pieces is
 * unfinished: then only a second signal does. */
#include "compat.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifomsg.h"
#include "frame.h"
#include "hex.h"
#include "io.h"
#include "json.h"
#include "sendin.h"
#include "writer.h"

#define INBUF (64 * 1024)

/* n: the message's size, or (at_least) as much of it as was seen. */
static int too_big(struct sendin *in, uint64_t n, int at_least)
{
	warnx_("message of %s%llu bytes is larger than --max-size %llu",
	       at_least ? "at least " : "", (unsigned long long)n,
	       (unsigned long long)in->max);
	return in->status = FM_MALFORMED;
}

static int input_failed(struct sendin *in, int status, const char *what)
{
	warnx_("%s", what);
	return in->status = status;
}

/* Read standard input: bytes read, 0 at its end, or a negative IO_ code
 * (an error is reported). */
static ssize_t in_read(struct sendin *in, void *buf, size_t n)
{
	ssize_t k = io_read_in(STDIN_FILENO, buf, n,
			       in->out->unfinished(in->out->ctx));

	if (k == IO_ERR) {
		warn_("standard input");
		in->status = FM_FAIL;
	}
	return k;
}

/* More input, for the loops below.  Before a read that may wait, what
 * is staged goes out and the writer lets go of its lock.  A regular file
 * never keeps us waiting, so from one the batches fill across reads:
 * fewer and fuller writes, and no lock, unlock and poll() for each read
 * (of 33k system calls for 10M lines, 4.7k).  A stop signal, or a failed
 * read (in_read() tries again and reports it), takes the waiting path,
 * which sends what is staged first, as ever. */
static ssize_t refill(struct sendin *in, void *buf, size_t n)
{
	ssize_t k;
	int r;

	if (in->file && !io_stop && (k = read(STDIN_FILENO, buf, n)) >= 0)
		return k;
	if ((r = in->out->flush(in->out->ctx)))
		return r;
	return in_read(in, buf, n);
}

/* One message whose payload is all in memory. */
static int put_msg(struct sendin *in, const unsigned char *p, size_t n)
{
	if (n > in->max)
		return too_big(in, n, 0);
	in->messages++;
	return in->out->put(in->out->ctx, p, n);
}

static int put_decoded(struct sendin *in, char *s, size_t n,
		       const char *what, uint64_t no);

int send_args(struct sendin *in, char **msgs, int n)
{
	int r = 0;

	for (int i = 0; i < n && !r; i++)
		r = in->codec ? put_decoded(in, msgs[i], strlen(msgs[i]),
					    "argument", (uint64_t)i + 1)
			      : put_msg(in, (unsigned char *)msgs[i],
					strlen(msgs[i]));
	return r;
}

/* ---- lines and NUL records ---- */

/* The input buffer: buf[start..end) is read but not yet sent, and
 * WRITER_SLACK bytes beyond cap may be read (by writer_pack()). */
struct recbuf {
	unsigned char *buf;
	size_t cap, start, end;
};

/* Send every complete record in b, the short ones by the fast path. */
static int put_records(struct sendin *in, struct recbuf *b, int delim)
{
	unsigned char *hit;
	int r;

	for (;;) {
		if (in->out->w)
			b->start = writer_pack(in->out->w, b->buf, b->start,
					       b->end, delim, in->max,
					       &in->messages);
		hit = memchr(b->buf + b->start, delim, b->end - b->start);
		if (!hit)
			return 0;
		r = put_msg(in, b->buf + b->start,
			    (size_t)(hit - b->buf) - b->start);
		if (r)
			return r;
		b->start = (size_t)(hit - b->buf) + 1;
	}
}

/* Where the record starting at file offset pos ends: at its delimiter or
 * at the end of the file, found with pread(); -1 if the input cannot be
 * read that way.  Stops early (*whole = 0) once the record is known to
 * be longer than max, counting the `have` bytes already read. */
static off_t record_end(struct sendin *in, int delim, off_t pos,
			size_t have, int *whole)
{
	unsigned char tmp[INBUF], *hit;
	off_t at = pos;
	ssize_t k;

	*whole = 1;
	for (;;) {
		k = pread(STDIN_FILENO, tmp, sizeof tmp, at);
		if (k < 0)
			return -1;
		hit = k ? memchr(tmp, delim, (size_t)k) : NULL;
		if (hit || k == 0)
			return at + (hit ? hit - tmp : 0);
		at += k;
		if ((uint64_t)(at - pos) + have > in->max) {
			*whole = 0;	/* too long already: no need to go on */
			return at;
		}
	}
}

/* Send the record made of buf[0..have) and file bytes [from, to). */
static int stream_record(struct sendin *in, const unsigned char *buf,
			 size_t have, off_t from, off_t to)
{
	unsigned char tmp[INBUF];
	struct sink *w = in->out;
	off_t at;
	ssize_t k;
	int r;

	in->messages++;
	if ((r = w->begin(w->ctx, (uint32_t)(have + (uint64_t)(to - from)))) ||
	    (r = w->data(w->ctx, buf, have)))
		return r;
	for (at = from; at < to; at += k) {
		size_t want = (size_t)(to - at) < sizeof tmp ?
			      (size_t)(to - at) : sizeof tmp;
		k = pread(STDIN_FILENO, tmp, want, at);
		if (k <= 0) {
			input_failed(in, FM_FAIL, "standard input changed "
				     "while being sent");
			r = w->abandon(w->ctx, (uint64_t)(to - at));
			return r ? r : in->status;
		}
		if ((r = w->data(w->ctx, tmp, (size_t)k)))
			return r;
	}
	return w->end(w->ctx);
}

/* A record longer than the input buffer, in a file we can seek: find its
 * end with pread(), then stream it, so memory stays bounded however long
 * the line.  Returns 1 if done this way (*rp: the result), 0 if the input
 * cannot seek. */
static int long_record(struct sendin *in, struct recbuf *b, int delim,
		       int *rp)
{
	off_t pos = lseek(STDIN_FILENO, 0, SEEK_CUR), end;
	uint64_t len;
	int whole;

	if (pos < 0 || (end = record_end(in, delim, pos, b->end, &whole)) < 0)
		return 0;
	len = b->end + (uint64_t)(end - pos);
	if (len > in->max) {
		*rp = too_big(in, len, !whole);
		return 1;
	}
	*rp = stream_record(in, b->buf, b->end, pos, end);
	/* Go on after the delimiter (at the end of file: nothing left). */
	if (*rp == 0)
		lseek(STDIN_FILENO, end + 1, SEEK_SET);
	b->start = b->end = 0;
	return 1;
}

/* Make room to read more: move the unfinished record to the front, or,
 * when it fills the buffer, stream it (long_record) or grow the buffer,
 * up to max + 1 bytes, which prove a record too big. */
static int keep_unfinished(struct sendin *in, struct recbuf *b, int delim)
{
	unsigned char *nb;
	size_t n;
	int r;

	if (b->start == b->end) {
		b->start = b->end = 0;
	} else if (b->end == b->cap && b->start > 0) {
		memmove(b->buf, b->buf + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
	} else if (b->end == b->cap) {
		if (long_record(in, b, delim, &r))
			return r;
		if (b->cap > in->max)
			return too_big(in, b->cap, 1);
		n = b->cap * 2 < in->max + 1 ? b->cap * 2
					     : (size_t)in->max + 1;
		if (!(nb = realloc(b->buf, n + WRITER_SLACK))) {
			warn_("malloc");
			return in->status = FM_FAIL;
		}
		b->buf = nb;
		b->cap = n;
	}
	return 0;
}

int send_records(struct sendin *in, int delim)
{
	struct recbuf b = { malloc(INBUF + WRITER_SLACK), INBUF, 0, 0 };
	ssize_t k;
	int r;

	if (!b.buf) {
		warn_("malloc");
		return in->status = FM_FAIL;
	}
	for (;;) {
		if ((r = put_records(in, &b, delim)) ||
		    (r = keep_unfinished(in, &b, delim)))
			break;
		k = refill(in, b.buf + b.end, b.cap - b.end);
		if (k <= 0) {
			r = (int)k;
			break;
		}
		b.end += (size_t)k;
		/* writer_pack() reads the word past the end: define it. */
		memset(b.buf + b.end, 0, WRITER_SLACK);
	}
	if (r == 0 && b.start < b.end)	/* a last record, no delimiter */
		r = put_msg(in, b.buf + b.start, b.end - b.start);
	free(b.buf);
	return r;
}

/* ---- --json, --hex: each line decoded ---- */

/* Blanks a JSON line may have around its string, beyond which a line is
 * too long to decode (a CR of a CRLF line end, say). */
#define JSON_BLANKS 8

/* The longest line that can decode to --max-size bytes: JSON takes at
 * most 6 bytes per payload byte (\u0000) and 2 quotes, hex exactly 2.
 * A line is held in memory whole to be decoded, so this also bounds the
 * memory send needs. */
static uint64_t line_limit(const struct sendin *in)
{
	return in->codec == 'j' ? 6 * in->max + 2 + JSON_BLANKS : 2 * in->max;
}

static int too_long(struct sendin *in, const char *what, uint64_t no)
{
	warnx_("%s %llu: longer than %llu bytes, too long for --max-size %llu",
	       what, (unsigned long long)no,
	       (unsigned long long)line_limit(in),
	       (unsigned long long)in->max);
	return in->status = FM_MALFORMED;
}

/* Decode s[0..n), line or argument number no, in place and send it. */
static int put_decoded(struct sendin *in, char *s, size_t n,
		       const char *what, uint64_t no)
{
	unsigned char *d = (unsigned char *)s;
	const char *why;
	size_t col;
	ssize_t k;

	if (n > line_limit(in))
		return too_long(in, what, no);
	k = in->codec == 'j' ? json_decode(s, n, d, &col, &why)
			     : hex_decode(s, n, d, &col, &why);
	if (k < 0) {
		warnx_("%s %llu, column %zu: %s", what,
		       (unsigned long long)no, col, why);
		return in->status = FM_MALFORMED;
	}
	if ((uint64_t)k > in->max) {
		warnx_("%s %llu: message of %zd bytes is larger than "
		       "--max-size %llu", what, (unsigned long long)no, k,
		       (unsigned long long)in->max);
		return in->status = FM_MALFORMED;
	}
	in->messages++;
	return in->out->put(in->out->ctx, d, (size_t)k);
}

/* buf[start..end) is read but not yet sent; buf[start..seen) holds no
 * newline; line: the number of the line at start. */
struct linebuf {
	char *buf;
	size_t cap, start, seen, end;
	uint64_t line;
};

static int put_lines(struct sendin *in, struct linebuf *b)
{
	char *nl;
	size_t n;
	int r;

	while ((nl = memchr(b->buf + b->seen, '\n', b->end - b->seen))) {
		n = (size_t)(nl - b->buf) - b->start;
		if ((r = put_decoded(in, b->buf + b->start, n, "line",
				     b->line)))
			return r;
		b->line++;
		b->start = b->seen = b->start + n + 1;
	}
	b->seen = b->end;
	return 0;
}

/* Room to read more: the unfinished line moves to the front, or, when it
 * fills the buffer, the buffer grows, up to one byte past the limit. */
static int line_room(struct sendin *in, struct linebuf *b)
{
	uint64_t limit = line_limit(in);
	size_t n;
	char *nb;

	if (b->end < b->cap)
		return 0;
	if (b->start > 0) {
		memmove(b->buf, b->buf + b->start, b->end - b->start);
		b->end -= b->start;
		b->seen -= b->start;
		b->start = 0;
		return 0;
	}
	if (b->cap > limit)
		return too_long(in, "line", b->line);
	n = (uint64_t)b->cap * 2 <= limit + 1 ? b->cap * 2 : (size_t)limit + 1;
	if (n <= b->cap || !(nb = realloc(b->buf, n))) {
		warn_("malloc");
		return in->status = FM_FAIL;
	}
	b->buf = nb;
	b->cap = n;
	return 0;
}

int send_decoded(struct sendin *in)
{
	struct linebuf b = { malloc(INBUF), INBUF, 0, 0, 0, 1 };
	ssize_t k;
	int r;

	if (!b.buf) {
		warn_("malloc");
		return in->status = FM_FAIL;
	}
	for (;;) {
		if ((r = put_lines(in, &b)) || (r = line_room(in, &b)))
			break;
		k = refill(in, b.buf + b.end, b.cap - b.end);
		if (k <= 0) {
			r = (int)k;
			break;
		}
		b.end += (size_t)k;
	}
	if (r == 0 && b.start < b.end)	/* a last line, no newline */
		r = put_decoded(in, b.buf + b.start, b.end - b.start, "line",
				b.line);
	free(b.buf);
	return r;
}

/* ---- -w: all of standard input ---- */

/* A regular file: its size is known, so it is streamed. */
static int whole_file(struct sendin *in, uint64_t left)
{
	unsigned char tmp[INBUF];
	struct sink *w = in->out;
	ssize_t k;
	int r;

	if (left > in->max)
		return too_big(in, left, 0);
	in->messages++;
	if ((r = w->begin(w->ctx, (uint32_t)left)))
		return r;
	while (left) {
		k = in_read(in, tmp, left < sizeof tmp ? (size_t)left
						       : sizeof tmp);
		if (k <= 0) {
			if (k == 0)
				input_failed(in, FM_FAIL, "standard input "
					     "shrank while being sent");
			r = w->abandon(w->ctx, left);
			return r ? r : (int)(k < 0 ? k : 0);
		}
		if ((r = w->data(w->ctx, tmp, (size_t)k)))
			return r;
		left -= (uint64_t)k;
	}
	return w->end(w->ctx);
}

/* Anything else is read into memory, up to max + 1 bytes (which prove
 * it too big), and sent from there. */
static int whole_memory(struct sendin *in)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, len = 0;
	ssize_t k;
	int r;

	for (;;) {
		if (len == cap) {
			if (len > in->max) {
				r = too_big(in, len, 1);
				goto out;
			}
			cap = cap ? cap * 2 : INBUF;
			if (cap > in->max + 1)
				cap = (size_t)in->max + 1;
			if (!(nb = realloc(buf, cap))) {
				warn_("malloc");
				r = in->status = FM_FAIL;
				goto out;
			}
			buf = nb;
		}
		if ((k = in_read(in, buf + len, cap - len)) <= 0)
			break;
		len += (size_t)k;
	}
	r = k < 0 ? (int)k : put_msg(in, buf, len);
out:
	free(buf);
	return r;
}

int send_whole(struct sendin *in)
{
	off_t pos = lseek(STDIN_FILENO, 0, SEEK_CUR);
	struct stat st;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && pos >= 0 &&
	    st.st_size >= pos && (uint64_t)(st.st_size - pos) + FRAME_HDR >
	    in->out->pipe_buf)
		return whole_file(in, (uint64_t)(st.st_size - pos));
	return whole_memory(in);
}

/* ---- -r: frames ---- */

/* Forward what the decoder found: frames go out unchanged. */
static int forward(struct sendin *in, const struct fdec *d,
		   enum fdec_event ev, const unsigned char *data, size_t n)
{
	struct sink *w = in->out;

	switch (ev) {
	case FD_HEAD:
		in->messages++;
		return w->begin(w->ctx, d->size);
	case FD_DATA:
		return w->data(w->ctx, data, n);
	case FD_END:
		return w->end(w->ctx);
	case FD_TOOBIG:
		return too_big(in, d->size, 0);
	case FD_NEED:
		break;
	}
	return 0;
}

/* Each frame is checked and forwarded.  Small frames join a batch only
 * once complete, so a frame cut short by the end of input never reaches
 * the pipe; a big one whose start went out is padded. */
int send_raw(struct sendin *in)
{
	unsigned char buf[INBUF];
	const unsigned char *data;
	enum fdec_event ev;
	struct fdec d;
	size_t pos, n;
	ssize_t k;
	int r;

	fdec_init(&d, in->max);
	for (;;) {
		if ((k = refill(in, buf, sizeof buf)) <= 0) {
			if (k < 0)
				return (int)k;
			break;
		}
		for (pos = 0;;) {
			/* Between frames the whole small ones go in batches
			 * (writer_frames), the rest through the decoder. */
			if (in->out->w && fdec_idle(&d))
				pos = writer_frames(in->out->w, buf, pos,
						    (size_t)k, in->max,
						    &in->messages);
			pos += fdec_feed(&d, buf + pos, (size_t)k - pos, &ev,
					 &data, &n);
			if (ev == FD_NEED)
				break;
			if ((r = forward(in, &d, ev, data, n)))
				return r;
		}
	}
	if (!fdec_partial(&d))
		return 0;
	input_failed(in, FM_MALFORMED,
		     "malformed input: stream ends inside a frame");
	return in->out->abandon(in->out->ctx, d.left);
}

/* ---- the options that choose the input ---- */

static const char *mode_name(int mode)
{
	return mode == 'j' ? "--json" : mode == 'x' ? "--hex" :
	       mode == '0' ? "-0" : mode == 'r' ? "-r" : "-w";
}

int sendin_mode(const char *usage, int *mode, int c)
{
	if (*mode && *mode != c)
		return usage_err(usage, "%s and %s cannot be combined",
				 mode_name(*mode), mode_name(c));
	*mode = c;
	return 0;
}

int sendin_check(const char *usage, int mode, int nmsgs)
{
	/* --json and --hex decode MESSAGE arguments as they do lines. */
	if (mode && mode != 'j' && mode != 'x' && nmsgs)
		return usage_err(usage, "%s reads standard input: give no "
				 "MESSAGE", mode_name(mode));
	return -1;
}

int send_input(struct sendin *in, int mode, char **msgs, int nmsgs)
{
	struct stat st;

	in->file = fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
	if (mode == 'j' || mode == 'x')
		in->codec = mode;
	if (nmsgs)
		return send_args(in, msgs, nmsgs);
	switch (mode) {
	case 'w': return send_whole(in);
	case 'r': return send_raw(in);
	case 'j': case 'x': return send_decoded(in);
	case '0': return send_records(in, '\0');
	default: return send_records(in, '\n');
	}
}
