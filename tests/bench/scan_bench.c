/* Microbenchmark of the delimiter scanner (src/scan.h): packing lines
 * into frames the way send does, with each of its loops and with
 * memchr() + memcpy() for reference.  No I/O in the timed part.
 *
 * usage: scan_bench LOOP LINES MIB [REPS]
 *   LOOP   word (the portable 8-byte loop, send's packer today), simd
 *          (SSE2/NEON; absent in a SCALAR build), memchr
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

static size_t scan_memchr(unsigned char *dst, const unsigned char *src,
			  size_t limit, unsigned char delim)
{
	const unsigned char *hit = memchr(src, delim, limit);
	size_t n = hit ? (size_t)(hit - src) : limit;

	memcpy(dst, src, n);
	return n;
}

/* Pack every line of src[0..n) into frames in a 4096-byte batch that is
 * "written" (started over) when the next frame does not fit: send's
 * pack() without the bookkeeping.  Returns the number of lines. */
__attribute__((noinline))
static size_t pack_all(enum loop l, unsigned char *batch,
		       const unsigned char *src, size_t n)
{
	size_t start = 0, used = 0, lines = 0, limit, len;

	while (start < n) {
		if (used + FRAME_HDR >= BATCH)
			used = 0;	/* not even a header fits */
		limit = n - start;
		if (limit > BATCH - FRAME_HDR - used + 1)
			limit = BATCH - FRAME_HDR - used + 1;
		if (l == WORD)
			len = scan_copy_word(batch + used + FRAME_HDR,
					     src + start, limit, '\n');
		else if (l == MEMCHR)
			len = scan_memchr(batch + used + FRAME_HDR,
					  src + start, limit, '\n');
		else
			len = scan_copy(batch + used + FRAME_HDR,
					src + start, limit, '\n');
		if (len == limit) {
			if (start + limit == n || used == 0)
				break;	/* the rest is not a whole line */
			used = 0;	/* the batch is full: start anew */
			continue;
		}
		frame_put(batch + used, (uint32_t)len);
		used += FRAME_HDR + len;
		start += len + 1;
		lines++;
	}
	return lines;
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
