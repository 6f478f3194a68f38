/* The wire format, and nothing else: no I/O, so tests and fuzzers can
 * drive it directly.  A frame is a 4-byte unsigned little-endian length N
 * followed by N bytes of payload; N = 0 is a valid, empty message. */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR 4
#define FRAME_MAX UINT32_MAX

static inline void frame_put(unsigned char *p, uint32_t n)
{
	p[0] = (unsigned char)n;
	p[1] = (unsigned char)(n >> 8);
	p[2] = (unsigned char)(n >> 16);
	p[3] = (unsigned char)(n >> 24);
}

static inline uint32_t frame_get(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The fast paths' test, with the decoder's rules: the payload size of a
 * whole frame at p[0..n) whose payload is at most max, or -1 when the
 * frame is incomplete or too big (the decoder then takes over and says
 * which).  Lets a reader skip the decoder's events for whole frames. */
static inline int64_t frame_whole(const unsigned char *p, size_t n,
				  uint64_t max)
{
	uint32_t len;

	if (n < FRAME_HDR)
		return -1;
	len = frame_get(p);
	if (len > max || len > n - FRAME_HDR)
		return -1;
	return len;
}

/* Incremental decoder: bytes may arrive split at any boundary. */
struct fdec {
	uint64_t max;		/* largest payload accepted */
	uint32_t size;		/* payload size of the current frame */
	uint32_t left;		/* payload bytes still to come */
	unsigned char hdr[FRAME_HDR];
	unsigned char hlen;	/* header bytes collected so far */
	unsigned char body;	/* header done, inside (or at end of) payload */
};

enum fdec_event {
	FD_NEED,	/* all input consumed, nothing to report */
	FD_HEAD,	/* header complete: d->size is the payload size */
	FD_DATA,	/* *data, *dlen: the next piece of payload */
	FD_END,		/* the current frame is complete */
	FD_TOOBIG	/* header announces more than d->max: malformed */
};

void fdec_init(struct fdec *d, uint64_t max);
/* Consume what the current state needs from p[0..n) and report one event.
 * Returns the number of bytes consumed (possibly 0: FD_END of an empty or
 * finished payload).  Call again until it reports FD_NEED. */
size_t fdec_feed(struct fdec *d, const unsigned char *p, size_t n,
		 enum fdec_event *ev, const unsigned char **data, size_t *dlen);
/* Bytes that complete the current header or frame: a reader that must not
 * over-read asks for at most this many. */
size_t fdec_want(const struct fdec *d);
/* Nonzero when part of a frame has been consumed but not all of it. */
int fdec_partial(const struct fdec *d);
/* Bytes of the current frame consumed so far, header included: where it
 * began, counted back from the reader's position. */
uint64_t fdec_taken(const struct fdec *d);
/* Nonzero at a frame boundary (nothing of the next frame consumed, the
 * last one's FD_END reported): where a fast path may take over. */
static inline int fdec_idle(const struct fdec *d)
{
	return !d->hlen && !d->body;
}

#endif
