/* Checks of the delimiter scanner (src/scan.h): every loop it has (the
 * SIMD one where the build has it, and the portable word loop) against
 * memchr(), on the same input.
 *
 * Two ways to build it:
 *  - libFuzzer (tests/fuzz/run scan): byte 0 is the delimiter, byte 1 the
 *    source's misalignment, the rest the record bytes; every limit from 0
 *    to their length is tried.  ASan sees any access past the slack,
 *    since each buffer is allocated to exactly limit + SCAN_SLACK.
 *  - -DSCAN_MAIN (make scan-check): a program that tries, for several
 *    delimiters, every record length up to 80 with the delimiter at every
 *    offset (or absent) and at every misalignment, then random input of
 *    varied delimiter density; a canary after the slack catches a write
 *    too far without ASan.
 * Checked for each call: the result is memchr's (or limit), the bytes
 * before it were copied, nothing is written at or past result + slack,
 * and the source is untouched.  The slack holds delimiters from a varied
 * offset on, so one taken from past limit would show. */
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

typedef size_t (*scan_fn)(unsigned char *, const unsigned char *, size_t,
			  unsigned char);

static const scan_fn loops[] = {
	scan_copy_word,
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	scan_copy_simd,
#endif
	scan_copy,
};

/* One call of f on rec[0..limit), placed at misalignment al, with the
 * slack past limit holding delimiters from offset sk on. */
static void check_one(scan_fn f, const unsigned char *rec, size_t limit,
		      unsigned char delim, size_t al, size_t sk)
{
	const unsigned char *hit = memchr(rec, delim, limit);
	size_t want = hit ? (size_t)(hit - rec) : limit, got, i;
	size_t n = limit + SCAN_SLACK;
	unsigned char *sbuf = malloc(al + n), *dbuf = malloc(al + n + PAD);
	unsigned char *src, *dst;

	CHECK(sbuf && dbuf);
	src = sbuf + al;
	dst = dbuf + al;
	memcpy(src, rec, limit);
	for (i = 0; i < SCAN_SLACK; i++)
		src[limit + i] = (unsigned char)(i < sk ? delim + 1 : delim);
	memset(dbuf, CANARY, al + n + PAD);
	got = f(dst, src, limit, delim);
	CHECK(got == want);
	CHECK(memcmp(dst, rec, got) == 0);
	for (i = 0; i < al; i++)
		CHECK(dbuf[i] == CANARY);
	for (i = got + SCAN_SLACK; i < n + PAD; i++)
		CHECK(dst[i] == CANARY);
	CHECK(memcmp(src, rec, limit) == 0);
	free(sbuf);
	free(dbuf);
}

static void check_all(const unsigned char *rec, size_t limit,
		      unsigned char delim, size_t al, size_t sk)
{
	size_t i;

	for (i = 0; i < sizeof loops / sizeof loops[0]; i++)
		check_one(loops[i], rec, limit, delim, al, sk);
}

/* scan_move: n bytes copied, nothing written at or past n + slack. */
static void check_move(const unsigned char *rec, size_t n)
{
	unsigned char *src = malloc(n + SCAN_SLACK), *dst = malloc(n + PAD);
	size_t i;

	CHECK(src && dst);
	memcpy(src, rec, n);
	memset(src + n, 0, SCAN_SLACK);
	memset(dst, CANARY, n + PAD);
	scan_move(dst, src, n);
	CHECK(memcmp(dst, rec, n) == 0);
	for (i = n + SCAN_SLACK; i < n + PAD; i++)
		CHECK(dst[i] == CANARY);
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
	printf("scan: the %s loop (scan_copy) and the word loop agree "
	       "with memchr (%zu cases)\n",
	       scan_kind(), calls);
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t limit;

	if (size < 2)
		return 0;
	for (limit = 0; limit <= size - 2; limit++)
		check_all(data + 2, limit, data[0], data[1] % 16u,
			  (size_t)(data[1] >> 4));
	check_move(data + 2, size - 2);
	return 0;
}
#endif
