/* Finding a record's delimiter while copying the record: the inner loop
 * of packing lines into frames.  No I/O, no state: tests and benchmarks
 * drive it directly.
 *
 * scan_copy(dst, src, limit, delim) looks for the first delim in
 * src[0..limit) and copies the bytes it looks at to dst as it goes, a
 * block at a time (16 bytes with SSE2 or NEON, 8 with the portable word
 * loop).  It returns the delimiter's index, or limit when there is none
 * in src[0..limit).  On return dst[0..r) == src[0..r) for the result r.
 *
 * The trick is that it never stops at the exact end: it works on whole
 * blocks, so it reads and writes up to SCAN_SLACK - 1 bytes beyond
 * src[limit - 1] and dst[limit - 1] (and dst beyond the delimiter).  The
 * caller gives both buffers SCAN_SLACK bytes of room past the largest
 * limit it passes; the bytes read there may hold anything (a delimiter
 * past limit is ignored), but to keep memory checkers quiet the caller
 * should make them defined (e.g. zero them once).  Bytes written past the
 * result are garbage for the caller to overwrite.
 *
 * The block size is chosen at build time: SSE2 on x86-64 (always there),
 * NEON on arm64, otherwise the word-at-a-time loop; -DFIFOMSG_SCALAR
 * forces the word loop so that tests can check it on any machine. */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SCAN_SLACK 16

#if !defined(FIFOMSG_SCALAR) && defined(__SSE2__)
#define SCAN_SSE2 1
#include <emmintrin.h>
#elif !defined(FIFOMSG_SCALAR) && defined(__ARM_NEON) && defined(__aarch64__)
#define SCAN_NEON 1
#include <arm_neon.h>
#endif

/* Index of the lowest set bit of a nonzero x. */
static inline unsigned scan_ctz64(uint64_t x)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(x);
#else
	unsigned n = 0;
	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

/* The portable loop, 8 bytes a step: a byte of w ^ pat is zero where the
 * delimiter is, and (v - ones) & ~v & high flags the lowest zero byte
 * exactly (a borrow only runs upward from a zero byte, so the flags above
 * the first one may be false, the first never is).  Little-endian puts
 * the lowest address in the lowest byte; elsewhere, byte by byte. */
static inline size_t scan_copy_word(unsigned char *dst,
				    const unsigned char *src, size_t limit,
				    unsigned char delim)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	const uint64_t pat = ones * delim;
	uint64_t w, z;
	size_t i, at;

	for (i = 0; i < limit; i += 8) {
		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
		w ^= pat;
		z = (w - ones) & ~w & high;
		if (z) {
			at = i + (scan_ctz64(z) >> 3);
			return at < limit ? at : limit;
		}
	}
	return limit;
#else
	size_t i;

	for (i = 0; i < limit && src[i] != delim; i++)
		dst[i] = src[i];
	return i;
#endif
}

#if defined(SCAN_SSE2)
/* 16 bytes a step: compare all at once, one bit per byte in a mask. */
static inline size_t scan_copy_simd(unsigned char *dst,
				    const unsigned char *src, size_t limit,
				    unsigned char delim)
{
	const __m128i pat = _mm_set1_epi8((char)delim);
	__m128i v;
	unsigned m;
	size_t i, at;

	for (i = 0; i < limit; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
		_mm_storeu_si128((__m128i *)(void *)(dst + i), v);
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, pat));
		if (m) {
			at = i + scan_ctz64(m);
			return at < limit ? at : limit;
		}
	}
	return limit;
}
#elif defined(SCAN_NEON)
/* NEON has no movemask: narrowing the 0x00/0xFF compare result by 4 bits
 * gives a 64-bit mask with 4 bits per byte. */
static inline size_t scan_copy_simd(unsigned char *dst,
				    const unsigned char *src, size_t limit,
				    unsigned char delim)
{
	const uint8x16_t pat = vdupq_n_u8(delim);
	uint8x16_t v;
	uint64_t m;
	size_t i, at;

	for (i = 0; i < limit; i += 16) {
		v = vld1q_u8(src + i);
		vst1q_u8(dst + i, v);
		m = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(
			vreinterpretq_u16_u8(vceqq_u8(v, pat)), 4)), 0);
		if (m) {
			at = i + (scan_ctz64(m) >> 2);
			return at < limit ? at : limit;
		}
	}
	return limit;
}
#endif

static inline size_t scan_copy(unsigned char *dst, const unsigned char *src,
			       size_t limit, unsigned char delim)
{
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	return scan_copy_simd(dst, src, limit, delim);
#else
	return scan_copy_word(dst, src, limit, delim);
#endif
}

/* Copy n bytes in 16-byte moves, writing up to SCAN_SLACK - 1 bytes past
 * dst[n - 1] and reading as far past src[n - 1]: for short payloads it
 * is a few instructions where a memcpy() call costs dozens. */
static inline void scan_move(unsigned char *dst, const unsigned char *src,
			     size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 16)
		memcpy(dst + i, src + i, 16);
}

/* Which loop scan_copy() is: for benchmarks and -V style reports. */
static inline const char *scan_kind(void)
{
#if defined(SCAN_SSE2)
	return "sse2";
#elif defined(SCAN_NEON)
	return "neon";
#else
	return "word";
#endif
}

#endif
