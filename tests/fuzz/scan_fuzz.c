/* Checks of the delimiter scanner (src/scan.h): every mask loop it has
 * (the SIMD one where the build has it, and the portable word loop),
 * walked the way writer_pack() walks it, against a byte-by-byte search
 * of the same input; and scan_move().
 *
 * Two ways to build it:
 *  - libFuzzer (tests/fuzz/run scan): byte 0 is the delimiter, byte 1 the
 *    source's misalignment, the rest the record bytes; every length from
 *    0 to theirs is tried.  ASan sees any access past the slack, since
 *    each buffer is allocated to exactly length + SCAN_SLACK.
 *  - -DSCAN_MAIN (make scan-check): a program that tries, for several
 *    delimiters, every length up to 80 with the delimiter at every
 *    offset (or absent) and at every misalignment, then random input of
 *    varied delimiter density.
 * Checked for each call: the walk finds exactly the delimiters before
 * the end, in order, each once (one bit a byte), and scan_below() is the
 * mask of the bytes before the end.  The slack holds delimiters from a
 * varied offset on, so one taken from past the end would show. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "scan: %s:%d: %s\n", \
	__FILE__, __LINE__, #c); abort(); } } while (0)
#define CANARY 0xA5
#define PAD 64

struct loop {
	uint64_t (*mask)(const unsigned char *, unsigned char);
	size_t block;
	unsigned shift;
};

static const struct loop loops[] = {
	{ scan_mask_word, 8, SCAN_WORD_SHIFT },
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	{ scan_mask_simd, SCAN_BLOCK, SCAN_SHIFT },
#endif
	{ scan_mask, SCAN_BLOCK, SCAN_SHIFT },
};

/* One walk of l over rec[0..len), placed at misalignment al, with the
 * slack past len holding delimiters from offset sk on. */
static void check_one(const struct loop *l, const unsigned char *rec,
		      size_t len, unsigned char delim, size_t al, size_t sk)
{
	size_t n = len + SCAN_SLACK, p, at, next = 0, i;
	unsigned char *sbuf = malloc(al + n), *src;
	uint64_t m, below;

	CHECK(sbuf);
	src = sbuf + al;
	memcpy(src, rec, len);
	for (i = 0; i < SCAN_SLACK; i++)
		src[len + i] = (unsigned char)(i < sk ? delim + 1 : delim);
	for (p = 0; p < len; p += l->block) {
		m = l->mask(src + p, delim);
		if (len - p < l->block) {
			below = ((uint64_t)1 << ((len - p) << l->shift)) - 1;
			if (l->shift == SCAN_SHIFT && l->block == SCAN_BLOCK)
				CHECK(scan_below(len - p) == below);
			m &= below;
		}
		for (; m; m &= m - 1) {
			at = p + (scan_ctz64(m) >> l->shift);
			/* The next delimiter at or after next is this one. */
			while (next < len && rec[next] != delim)
				next++;
			CHECK(at == next);
			next++;
		}
	}
	while (next < len && rec[next] != delim)
		next++;
	CHECK(next >= len);	/* none missed at the end */
	CHECK(memcmp(src, rec, len) == 0);
	free(sbuf);
}

static void check_all(const unsigned char *rec, size_t len,
		      unsigned char delim, size_t al, size_t sk)
{
	size_t i;

	for (i = 0; i < sizeof loops / sizeof loops[0]; i++)
		check_one(&loops[i], rec, len, delim, al, sk);
}

/* scan_move and scan_put: n bytes copied, nothing written at or past
 * n + slack. */
static void check_move(const unsigned char *rec, size_t n)
{
	void (*const moves[])(unsigned char *, const unsigned char *,
			      size_t) = { scan_move, scan_put };
	unsigned char *src = malloc(n + SCAN_SLACK), *dst = malloc(n + PAD);
	size_t i, j;

	CHECK(src && dst);
	memcpy(src, rec, n);
	memset(src + n, 0, SCAN_SLACK);
	for (j = 0; j < sizeof moves / sizeof moves[0]; j++) {
		memset(dst, CANARY, n + PAD);
		moves[j](dst, src, n);
		CHECK(memcmp(dst, rec, n) == 0);
		for (i = n + SCAN_SLACK; i < n + PAD; i++)
			CHECK(dst[i] == CANARY);
	}
	free(src);
	free(dst);
}

#ifdef SCAN_MAIN
static uint64_t rng = 0x9E3779B97F4A7C15u;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

int main(void)
{
	static const unsigned char delims[] = { '\n', 0, 0x80, 0xFF, 0x01 };
	unsigned char rec[4096];
	size_t d, len, at, al, i, calls = 0;

	for (d = 0; d < sizeof delims; d++) {
		unsigned char dl = delims[d];
		for (len = 0; len <= 80; len++) {
			for (at = 0; at <= len; at++) {
				/* Bytes next to the delimiter in value. */
				for (i = 0; i < len; i++)
					rec[i] = (unsigned char)(dl + 1 + i % 255);
				if (at < len)
					rec[at] = dl;
				for (al = 0; al < 16; al++, calls++)
					check_all(rec, len, dl, al,
						  (al + at) % SCAN_SLACK);
			}
		}
	}
	for (i = 0; i < 20000; i++, calls++) {
		unsigned char dl = (unsigned char)rnd(256);
		unsigned dens = 1 + rnd(300);
		len = rnd(i % 10 ? 200 : sizeof rec);
		for (at = 0; at < len; at++)
			rec[at] = rnd(dens) ? (unsigned char)rnd(256) : dl;
		check_all(rec, len, dl, rnd(16), rnd(SCAN_SLACK));
		check_move(rec, len);
	}
	for (len = 0; len <= 80; len++)
		check_move(rec, len);
	printf("scan: the %s loop (scan_mask) and the word loop find "
	       "every delimiter, and no other (%zu cases)\n",
	       scan_kind(), calls);
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;

	if (size < 2)
		return 0;
	for (len = 0; len <= size - 2; len++)
		check_all(data + 2, len, data[0], data[1] % 16u,
			  (size_t)(data[1] >> 4));
	check_move(data + 2, size - 2);
	return 0;
}
#endif
