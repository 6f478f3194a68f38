/* See writer.h.  The batch buffer holds WRITER_BATCHES batches back to
 * back: batch_end[0..full) mark the full ones, `filling` starts the one
 * being filled, and staged_whole marks the end of the last whole frame
 * (a frame given in pieces may have only begun). */
#include "compat.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "scan.h"
#include "writer.h"

int writer_init(struct writer *w, int fd, int64_t timeout_ms)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->timeout = timeout_ms;
	w->pipe_buf = io_pipe_buf(fd);
	w->batch = malloc(WRITER_BATCHES * w->pipe_buf + WRITER_SLACK);
	if (!w->batch || tally_init(&w->taken)) {
		free(w->batch);
		warn_("malloc");
		return -1;
	}
	return 0;
}

void writer_free(struct writer *w)
{
	tally_free(&w->taken);
	free(w->batch);
	w->batch = NULL;
}

/* EPIPE: standard output's reader left (a FIFO we opened read-write
 * always has one), which ends send quietly, as SIGPIPE would. */
static int warn_if_error(int r, const char *what)
{
	if (r == IO_ERR && errno == EPIPE)
		return IO_GONE;
	if (r == IO_ERR)
		warn_("%s", what);
	return r;
}

/* Bytes of ours that readers have surely read: all we wrote but what the
 * pipe still holds.  Other writers' bytes queued in the pipe make this a
 * lower bound.  Where the queue cannot be seen, everything written counts
 * as gone, as it does for the drain. */
static uint64_t gone(const struct writer *w)
{
	long q = w->noqueue ? -1 : io_queued(w->fd);

	if (q < 0)
		return w->written;
	return (uint64_t)q < w->written ? w->written - (uint64_t)q : 0;
}

/* One more message, whose last byte goes out at offset end. */
static int count_msg(struct writer *w, uint64_t end)
{
	if (tally_full(&w->taken) && tally_trim(&w->taken, gone(w))) {
		warn_("malloc");
		return IO_ERR;
	}
	tally_add(&w->taken, end);
	return 0;
}

/* The shared lock is kept from one batch to the next while input keeps
 * coming, and let go before anything that may wait on the input and
 * after every WRITER_LOCK_SPAN bytes: a lock and an unlock per 4 KiB
 * batch would double the system calls. */
static void unlock_shared(struct writer *w)
{
	if (w->shared_lock)
		io_unlock_writer(w->fd);
	w->shared_lock = 0;
}

static int write_batch(struct writer *w, size_t from, size_t to)
{
	int r = 0;

	if (to == from)
		return 0;
	if (!w->shared_lock && !w->nolock) {
		r = io_lock_writer(w->fd, 0, io_deadline(w->timeout));
		w->shared_lock = r == 0;
		w->locked_at = w->written;
	}
	if (r == 0)
		r = io_write_all(w->fd, w->batch + from, to - from, w->timeout,
				 0, NULL);
	if (r) {
		unlock_shared(w);
		return warn_if_error(r, "write");
	}
	w->written += to - from;
	return 0;
}

/* Write the staged batches, whole frames only, and keep the start of a
 * frame given in pieces for the next batch. */
static int write_staged(struct writer *w)
{
	size_t from = 0, i;
	int r = 0;

	for (i = 0; i < w->full && !r; from = w->batch_end[i++])
		r = write_batch(w, from, w->batch_end[i]);
	if (!r)
		r = write_batch(w, w->filling, w->staged_whole);
	if (r)
		return r;
	memmove(w->batch, w->batch + w->staged_whole,
		w->staged - w->staged_whole);
	w->staged -= w->staged_whole;
	w->staged_whole = w->filling = w->full = 0;
	if (w->written - w->locked_at >= WRITER_LOCK_SPAN)
		unlock_shared(w);
	return 0;
}

/* Make room for a frame of n bytes (at most pipe_buf) in the batch being
 * filled: start a new batch if needed, write them all if none is left. */
static int make_room(struct writer *w, size_t n)
{
	if (w->staged - w->filling + n <= w->pipe_buf)
		return 0;
	w->batch_end[w->full++] = w->filling = w->staged;
	return w->full == WRITER_BATCHES ? write_staged(w) : 0;
}

int writer_flush(struct writer *w)
{
	int r = write_staged(w);

	unlock_shared(w);
	return r;
}

/* A frame larger than PIPE_BUF: the header, then the payload in pieces,
 * all under the exclusive lock.  Once begun it is finished even if a stop
 * signal comes (only a second one cuts it short). */
static int begin_big(struct writer *w, uint32_t size)
{
	unsigned char h[FRAME_HDR];
	int r = writer_flush(w);

	if (r)
		return r;
	r = w->nolock ? 0 : io_lock_writer(w->fd, 1, io_deadline(w->timeout));
	if (r)
		return warn_if_error(r, "lock");
	w->in_big = 1;
	frame_put(h, size);
	r = io_write_all(w->fd, h, sizeof h, w->timeout, 1, NULL);
	w->written += sizeof h;
	return warn_if_error(r, "write");
}

int writer_begin(struct writer *w, uint32_t size)
{
	int r;

	if (FRAME_HDR + (uint64_t)size > w->pipe_buf)
		return begin_big(w, size);
	if ((r = make_room(w, FRAME_HDR + size)))
		return r;
	frame_put(w->batch + w->staged, size);
	w->staged += FRAME_HDR;
	return 0;
}

int writer_data(struct writer *w, const void *p, size_t n)
{
	size_t done;
	int r;

	if (!w->in_big) {
		memcpy(w->batch + w->staged, p, n);
		w->staged += n;
		return 0;
	}
	r = io_write_all(w->fd, p, n, w->timeout, 1, &done);
	w->written += done;
	return warn_if_error(r, "write");
}

int writer_end(struct writer *w)
{
	if (!w->in_big) {
		w->staged_whole = w->staged;
		return count_msg(w, w->written + w->staged);
	}
	if (!w->nolock)
		io_unlock_writer(w->fd);
	w->in_big = 0;
	return count_msg(w, w->written);
}

int writer_abandon(struct writer *w, uint64_t left)
{
	static const unsigned char zero[4096];
	int r = 0;

	if (!w->in_big) {
		w->staged = w->staged_whole;	/* never reaches the pipe */
		return 0;
	}
	while (left && !r) {
		size_t k = left < sizeof zero ? (size_t)left : sizeof zero;
		r = writer_data(w, zero, k);
		left -= k;
	}
	return r ? r : writer_end(w);
}

int writer_put(struct writer *w, const void *p, size_t n)
{
	int r;

	if ((r = writer_begin(w, (uint32_t)n)) || (r = writer_data(w, p, n)))
		return r;
	return writer_end(w);
}

/* The fast paths store through unsigned char pointers, which the
 * compiler must assume may alias *w: so they keep the hot state in
 * locals and store it back once. */

/* writer_pack()'s state, in locals (a struct whose address does not
 * escape once stage() is inlined). */
struct pack {
	unsigned char *batch;
	uint64_t *ends;
	size_t blen, top, mask, rec, fit;
	uint64_t at, tail, room, max;
};

/* The longest record that fits the batch being filled and max; 0 and no
 * room when not even a header and a byte fit. */
static int pack_room(struct pack *k)
{
	size_t space = k->top - k->blen;

	if (space <= FRAME_HDR || !k->room)
		return 0;
	k->fit = space - FRAME_HDR < k->max ? space - FRAME_HDR
					    : (size_t)k->max;
	return 1;
}

/* The record of len bytes at rec, already copied behind its header's
 * place, is staged: 1 while there is room for more. */
static inline int stage(struct pack *k, size_t len)
{
	frame_put(k->batch + k->blen, (uint32_t)len);
	k->blen += FRAME_HDR + len;
	k->ends[k->tail++ & k->mask] = k->at + k->blen;
	k->room--;
	k->rec += len + 1;
	return pack_room(k);
}

/* A block at a time, every delimiter in it (scan_mask): each record
 * before one is copied behind its header (scan_put) and staged.  A
 * record that is incomplete, longer than max or too long for the batch
 * is left at rec, for writer_put() as before. */
size_t writer_pack(struct writer *w, const unsigned char *buf, size_t start,
		   size_t end, int delim, uint64_t max, uint64_t *count)
{
	struct tally *t = &w->taken;
	struct pack k = { w->batch, t->end, w->staged, w->filling + w->pipe_buf,
			  t->mask, start, 0, w->written, t->tail,
			  t->mask + 1 - (t->tail - t->head), max };
	size_t p, pos;
	uint64_t m;

	if (!pack_room(&k))
		return start;
	for (p = start; p < end && p - k.rec <= k.fit; p += SCAN_BLOCK) {
		m = scan_mask(buf + p, (unsigned char)delim);
		if (end - p < SCAN_BLOCK)
			m &= scan_below(end - p);
		for (; m; m &= m - 1) {
			pos = p + (scan_ctz64(m) >> SCAN_SHIFT);
			if (pos - k.rec > k.fit)
				goto out;
			scan_put(k.batch + k.blen + FRAME_HDR, buf + k.rec,
				 pos - k.rec);
			if (!stage(&k, pos - k.rec))
				goto out;
		}
	}
out:
	*count += k.tail - t->tail;
	t->tail = k.tail;
	w->staged = w->staged_whole = k.blen;
	return k.rec;
}

/* Whole frames are checked by the decoder's rules (frame_whole) and
 * then only their ends are noted: each run of frames that fills a batch
 * is copied in with one memcpy(), so a batch is still at most PIPE_BUF
 * bytes of whole frames.  buf[run..pos) is the run not yet copied: it
 * goes to the batch at blen, so buf offset x lands at x - run + blen,
 * and the run may reach buf offset top - blen + run before the batch is
 * full.  (The hot state is in locals: see writer_pack.) */
size_t writer_frames(struct writer *w, const unsigned char *buf,
		     size_t start, size_t end, uint64_t max, uint64_t *count)
{
	struct tally *t = &w->taken;
	uint64_t *ends = t->end;
	size_t mask = t->mask, pb = w->pipe_buf, full = w->full;
	size_t blen = w->staged, top = w->filling + pb;
	size_t run = start, pos = start, fits = top - blen + run;
	uint64_t big = max < pb - FRAME_HDR ? max : pb - FRAME_HDR;
	uint64_t at = w->written + blen - run;	/* stream offset of buf[0] */
	uint64_t tail = t->tail, stop = t->head + mask + 1;
	int64_t len;
	size_t next;

	/* big: a larger frame is too big for max or goes out in pieces. */
	while (tail != stop &&
	       (len = frame_whole(buf + pos, end - pos, big)) >= 0) {
		next = pos + FRAME_HDR + (size_t)len;
		if (next > fits) {	/* this batch is full */
			if (full + 1 == WRITER_BATCHES)
				break;	/* writer_begin() writes them */
			memcpy(w->batch + blen, buf + run, pos - run);
			blen += pos - run;
			run = pos;
			w->batch_end[full++] = blen;
			top = blen + pb;
			fits = top - blen + run;
			at = w->written + blen - run;
		}
		pos = next;
		ends[tail++ & mask] = at + pos;
	}
	memcpy(w->batch + blen, buf + run, pos - run);
	w->staged = w->staged_whole = blen + (pos - run);
	w->filling = top - pb;
	w->full = full;
	*count += tail - t->tail;
	t->tail = tail;
	return pos;
}

/* The sink's functions take the writer as a void pointer. */
static int s_put(void *w, const void *p, size_t n)
{
	return writer_put(w, p, n);
}

static int s_begin(void *w, uint32_t size)
{
	return writer_begin(w, size);
}

static int s_data(void *w, const void *p, size_t n)
{
	return writer_data(w, p, n);
}

static int s_end(void *w)
{
	return writer_end(w);
}

static int s_abandon(void *w, uint64_t left)
{
	return writer_abandon(w, left);
}

static int s_flush(void *w)
{
	return writer_flush(w);
}

static int s_unfinished(void *w)
{
	return ((struct writer *)w)->in_big;
}

void writer_sink(struct writer *w, struct sink *s)
{
	*s = (struct sink){ w, s_put, s_begin, s_data, s_end, s_abandon,
			    s_flush, s_unfinished, w->pipe_buf, w };
}

int writer_drain(struct writer *w)
{
	if (w->noqueue)
		return 0;
	return io_drain(w->fd, w->timeout, NULL);
}

uint64_t writer_taken(const struct writer *w, uint64_t *bytes)
{
	return tally_taken(&w->taken, gone(w), bytes);
}
