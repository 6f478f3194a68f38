/* Microbenchmark of the delimiter scanner (src/scan.h): packing lines
 * into frames the way send does, with each of its loops and with
 * memchr() + memcpy() for reference.  No I/O in the timed part.
 *
 * usage: scan_bench LOOP LINES MIB [REPS]
 *   LOOP   word (the portable 8-byte block), simd (SSE2/NEON: send's
 *          packer; absent in a SCALAR build), memchr
 *   LINES  seq (the lines of `seq 1 N`, as make bench sends) or a mean
 *          line length (lengths vary from half to 1.5 times it)
 *   MIB    input size in MiB; REPS passes over it (default 5)
 * Prints the best pass in ns per byte and per line.  For instruction
 * counts, which a busy machine does not disturb, run it under
 *   valgrind --tool=callgrind --toggle-collect='pack_all*' ...
 * and divide the Ir by the bytes printed (tests/bench/scan does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "scan.h"

#define BATCH 4096	/* PIPE_BUF: the batch that send fills */

enum loop { WORD, SIMD, MEMCHR };

/* The batch is "written" (started over) when a frame does not fit; a
 * line too long for an empty batch ends the pass. */
static size_t put_line(unsigned char *batch, size_t *used,
		       const unsigned char *src, size_t len)
{
	if (*used + FRAME_HDR + len > BATCH)
		*used = 0;
	if (FRAME_HDR + len > BATCH)
		return 0;
	frame_put(batch + *used, (uint32_t)len);
	scan_put(batch + *used + FRAME_HDR, src, len);
	*used += FRAME_HDR + len;
	return 1;
}

typedef uint64_t mask_fn(const unsigned char *, unsigned char);

/* Pack every line of src[0..n) into frames in a 4096-byte batch, as
 * writer_pack() does without the bookkeeping: a block of bytes at a time
 * (mask).  Inlined into each caller with its loop's functions, so that
 * they are inlined too, as in writer_pack().  Returns the number of
 * lines. */
static inline size_t pack_blocks(mask_fn *mask, size_t block,
				 unsigned shift, unsigned char *batch,
				 const unsigned char *src, size_t n)
{
	size_t rec = 0, used = 0, lines = 0, p, at;
	uint64_t m;

	for (p = 0; p < n; p += block) {
		m = mask(src + p, '\n');
		if (n - p < block)
			m &= ((uint64_t)1 << ((n - p) << shift)) - 1;
		for (; m; m &= m - 1) {
			at = p + (scan_ctz64(m) >> shift);
			if (!put_line(batch, &used, src + rec, at - rec))
				return lines;
			rec = at + 1;
			lines++;
		}
	}
	return lines;
}

/* The same with memchr() and memcpy(), a line at a time. */
static inline size_t pack_memchr(unsigned char *batch,
				 const unsigned char *src, size_t n)
{
	size_t rec = 0, used = 0, lines = 0, at;
	const unsigned char *hit;

	while ((hit = memchr(src + rec, '\n', n - rec))) {
		at = (size_t)(hit - src);
		if (!put_line(batch, &used, src + rec, at - rec))
			break;
		rec = at + 1;
		lines++;
	}
	return lines;
}

/* The timed function (callgrind's --toggle-collect='pack_all*'). */
__attribute__((noinline))
static size_t pack_all(enum loop l, unsigned char *batch,
		       const unsigned char *src, size_t n)
{
	if (l == MEMCHR)
		return pack_memchr(batch, src, n);
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	if (l == SIMD)
		return pack_blocks(scan_mask_simd, SCAN_BLOCK,
				   SCAN_SHIFT, batch, src, n);
#endif
	return pack_blocks(scan_mask_word, 8,
			   SCAN_WORD_SHIFT, batch, src, n);
}

static unsigned char *make_input(const char *kind, size_t n)
{
	unsigned char *p = malloc(n + SCAN_SLACK);
	size_t at = 0, k, mean = (size_t)strtoul(kind, NULL, 10);
	unsigned long seq = 1, r = 12345;

	if (!p)
		return NULL;
	while (at < n) {
		if (strcmp(kind, "seq") == 0) {
			k = (size_t)snprintf((char *)p + at, n - at, "%lu",
					     seq++);
		} else {
			r = r * 1103515245 + 12345;
			k = mean / 2 + (r >> 16) % (mean + 1);
			for (size_t i = 0; i < k && at + i < n; i++)
				p[at + i] = (unsigned char)('a' + i % 26);
		}
		at += k;
		if (at < n)
			p[at++] = '\n';
	}
	p[n - 1] = '\n';
	memset(p + n, 0, SCAN_SLACK);
	return p;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char batch[BATCH + SCAN_SLACK];
	enum loop l;
	unsigned char *in;
	size_t n, lines = 0;
	double best = 1e30, t;
	int reps, i;

	if (argc < 4) {
		fprintf(stderr, "usage: scan_bench word|simd|memchr "
			"seq|MEAN MIB [REPS]\n");
		return 2;
	}
	if (strcmp(argv[1], "word") == 0) {
		l = WORD;
	} else if (strcmp(argv[1], "memchr") == 0) {
		l = MEMCHR;
	} else if (strcmp(argv[1], "simd") == 0 &&
		   strcmp(scan_kind(), "word") != 0) {
		l = SIMD;
	} else {
		fprintf(stderr, "scan_bench: no loop '%s' in this build\n",
			argv[1]);
		return 2;
	}
	n = (size_t)strtoul(argv[3], NULL, 10) << 20;
	reps = argc > 4 ? atoi(argv[4]) : 5;
	if (n == 0 || reps < 1 || !(in = make_input(argv[2], n)))
		return 2;
	for (i = 0; i < reps; i++) {
		t = now();
		lines = pack_all(l, batch, in, n);
		t = now() - t;
		if (t < best)
			best = t;
	}
	printf("%s %s: %zu bytes %zu lines, best of %d: %.3f ns/byte "
	       "%.2f ns/line\n", argv[1], argv[2], n, lines, reps,
	       best * 1e9 / (double)n, best * 1e9 / (double)lines);
	free(in);
	return 0;
}
