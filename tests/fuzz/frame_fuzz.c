/* libFuzzer harness for the frame decoder (src/frame.c).
 *
 * Input: byte 0 picks the --max-size, byte 1 the number K of split bytes
 * that follow; the rest is the stream.  The stream is fed to fdec_feed in
 * pieces whose sizes cycle through the split bytes (0: an empty piece,
 * 255: exactly what fdec_want asks for, as recv reads), then once more in
 * a single piece.  Checked:
 *  - every event is consistent with an independent model of the stream
 *    (header bytes, sizes, payload pointers and lengths, FD_TOOBIG iff the
 *    announced size exceeds max, FD_NEED only when the piece is used up);
 *  - fdec_want and fdec_partial agree with the model before every call;
 *  - a piece of exactly fdec_want bytes ends at a header or a frame end;
 *  - the decoded frames, re-encoded with frame_put, are exactly the
 *    stream's prefix up to the last complete frame;
 *  - splitting the stream differently changes nothing in the result;
 *  - frame_whole() and fdec_idle(), the fast paths' tests, agree with
 *    the decoder: a whole frame where the decoder, fed the same bytes,
 *    reports FD_HEAD and FD_END (not FD_TOOBIG); idle exactly at frame
 *    boundaries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const uint64_t maxes[8] = {
	0, 1, 4, 255, 4096, 64u << 20, UINT32_MAX - 1, UINT64_MAX
};

struct result {
	unsigned char *out;	/* re-encoded frames */
	size_t olen;
	size_t frames;
	size_t committed;	/* stream offset after the last whole frame */
	size_t consumed;	/* stream bytes the decoder took */
	int toobig;
	size_t want;		/* fdec_want at the end */
	int partial;		/* fdec_partial at the end */
};

/* The model: where the current frame starts, whether its header is
 * complete, its size and how much payload has been seen. */
struct model {
	size_t start;
	int inbody;
	uint32_t size;
	uint64_t got;
};

static size_t model_want(const struct model *m, size_t at)
{
	return m->inbody ? (size_t)(m->size - m->got)
			 : FRAME_HDR - (at - m->start);
}

static void decode(const unsigned char *s, size_t len, uint64_t max,
		   const unsigned char *split, size_t nsplit,
		   struct result *res)
{
	struct model m = { 0, 0, 0, 0 };
	struct fdec d;
	size_t at = 0, ci = 0;
	int last_empty = 0;

	memset(res, 0, sizeof *res);
	res->out = malloc(len + 1);
	CHECK(res->out);
	fdec_init(&d, max);
	while (at < len && !res->toobig) {
		size_t n = len - at, off = 0;
		int exact = 0, saw_boundary = 0;

		if (nsplit) {
			unsigned c = split[ci++ % nsplit];
			if (c == 255) {
				size_t w = fdec_want(&d);
				if (w > 0 && w < n)
					n = w;
				exact = n == w;
			} else if (c == 0 && !last_empty) {
				n = 0;
			} else if (c != 0 && c < n) {
				n = c;
			}
		}
		last_empty = n == 0;
		for (;;) {
			enum fdec_event ev = FD_NEED;
			const unsigned char *data = NULL;
			size_t dlen = 0, r;
			unsigned char hdr[FRAME_HDR];

			/* The decoder's view of the frame matches the model's. */
			CHECK(fdec_want(&d) == model_want(&m, at + off));
			CHECK(!!fdec_idle(&d) ==
			      (!m.inbody && at + off == m.start));
			CHECK(!!fdec_partial(&d) ==
			      (at + off > m.start &&
			       !(m.inbody && m.got == m.size)));
			r = fdec_feed(&d, s + at + off, n - off, &ev, &data,
				      &dlen);
			CHECK(r <= n - off);
			CHECK((unsigned)ev <= (unsigned)FD_TOOBIG);
			switch (ev) {
			case FD_NEED:
				CHECK(off + r == n);
				CHECK(!m.inbody || r == 0);
				break;
			case FD_HEAD:
			case FD_TOOBIG:
				CHECK(!m.inbody);
				CHECK(at + off + r == m.start + FRAME_HDR);
				CHECK(d.size == frame_get(s + m.start));
				CHECK(memcmp(d.hdr, s + m.start, FRAME_HDR) == 0);
				CHECK((ev == FD_TOOBIG) == (d.size > max));
				saw_boundary = 1;
				if (ev == FD_TOOBIG) {
					res->toobig = 1;
					break;
				}
				m.inbody = 1;
				m.size = d.size;
				m.got = 0;
				frame_put(hdr, d.size);
				memcpy(res->out + res->olen, hdr, FRAME_HDR);
				res->olen += FRAME_HDR;
				break;
			case FD_DATA:
				CHECK(m.inbody);
				CHECK(data == s + at + off);
				CHECK(dlen == r && r > 0);
				CHECK(m.got + r <= m.size);
				memcpy(res->out + res->olen, data, dlen);
				res->olen += dlen;
				m.got += r;
				break;
			case FD_END:
				CHECK(m.inbody && m.got == m.size && r == 0);
				m.inbody = 0;
				m.start = at + off;
				res->frames++;
				res->committed = m.start;
				saw_boundary = 1;
				break;
			}
			off += r;
			if (ev == FD_NEED || ev == FD_TOOBIG)
				break;
		}
		/* A reader asking for what fdec_want says stops exactly at a
		 * header's or a frame's end, never inside the next one. */
		if (exact && n > 0)
			CHECK(saw_boundary || res->toobig);
		at += off;
	}
	res->consumed = at;
	res->want = fdec_want(&d);
	res->partial = fdec_partial(&d);
	/* Re-encoded frames are exactly the stream up to the last whole
	 * frame, plus the header and payload seen of a frame in progress;
	 * an oversized frame contributes nothing. */
	CHECK(res->olen == res->committed +
			   (m.inbody ? FRAME_HDR + (size_t)m.got : 0));
	CHECK(memcmp(res->out, s, res->olen) == 0);
	if (res->toobig) {
		CHECK(len - res->committed >= FRAME_HDR);
		CHECK(frame_get(s + res->committed) > max);
	} else {
		CHECK(res->consumed == len);
		CHECK(res->partial == (len > res->committed));
		CHECK(res->want == model_want(&m, len));
	}
}

/* frame_whole() at every offset and length against the decoder fed
 * exactly those bytes from a fresh start. */
static void check_whole(const unsigned char *s, size_t len, uint64_t max)
{
	size_t at, n;

	for (at = 0; at < len && at < 64; at++) {
		for (n = 0; at + n <= len && n < 64; n++) {
			struct fdec d;
			enum fdec_event ev = FD_NEED;
			const unsigned char *data;
			size_t dlen, off = 0;
			int64_t w = frame_whole(s + at, n, max);
			int whole = 0;

			fdec_init(&d, max);
			CHECK(fdec_idle(&d));
			off += fdec_feed(&d, s + at, n, &ev, &data, &dlen);
			if (ev == FD_HEAD) {
				do {
					off += fdec_feed(&d, s + at + off,
							 n - off, &ev, &data,
							 &dlen);
				} while (ev == FD_DATA);
				whole = ev == FD_END;
			}
			CHECK((w >= 0) == whole);
			if (whole) {
				CHECK((uint64_t)w == d.size);
				CHECK(off == FRAME_HDR + (size_t)w);
				CHECK(fdec_idle(&d));
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result a, b;
	uint64_t max;
	size_t nsplit;
	const unsigned char *split, *s;
	size_t len;

	if (size < 2)
		return 0;
	max = maxes[data[0] % 8];
	nsplit = data[1] % 16;
	if (size < 2 + nsplit)
		return 0;
	split = data + 2;
	s = data + 2 + nsplit;
	len = size - 2 - nsplit;

	check_whole(s, len, max);
	decode(s, len, max, split, nsplit, &a);
	decode(s, len, max, NULL, 0, &b);
	/* However the bytes were split, the outcome is the same. */
	CHECK(a.frames == b.frames);
	CHECK(a.committed == b.committed);
	CHECK(a.toobig == b.toobig);
	CHECK(a.olen == b.olen);
	CHECK(memcmp(a.out, b.out, a.olen) == 0);
	if (!a.toobig) {
		CHECK(a.want == b.want);
		CHECK(a.partial == b.partial);
	}
	free(a.out);
	free(b.out);
	return 0;
}
