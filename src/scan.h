/* Finding delimiters a block at a time: the inner loop of packing lines
 * into frames (writer_pack).  No I/O, no state: tests and benchmarks
 * drive it directly.
 *
 * scan_mask(src, delim) compares the SCAN_BLOCK bytes at src with delim
 * all at once and returns a mask with a bit for each byte that matched
 * (see below), so a block holding several short records is looked at
 * once, and each record then costs a few instructions.  scan_put()
 * copies a record, the short ones in 16-byte moves (scan_move).
 *
 * The trick is that neither stops at the exact end: they work on whole
 * blocks, so they read up to SCAN_SLACK bytes beyond the caller's data
 * (and scan_move writes as far beyond its destination).  The caller
 * gives its buffers SCAN_SLACK bytes of room past the data; the bytes
 * read there may hold anything (scan_below() masks them off), but to
 * keep memory checkers quiet the caller should make them defined.
 *
 * The block is chosen at build time: 16 bytes with SSE2 on x86-64 (always
 * there) or NEON on arm64, otherwise the 8-byte word loop;
 * -DFIFOMSG_SCALAR forces the word loop so that tests can check it on any
 * machine. */
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

/* ---- scan_mask: every delimiter of a block at once ----
 *
 * scan_mask(src, delim) looks at the SCAN_BLOCK bytes at src and returns
 * a mask with one bit for each byte equal to delim, that of byte i among
 * bits i << SCAN_SHIFT to ((i + 1) << SCAN_SHIFT) - 1: the first
 * delimiter is at scan_ctz64(m) >> SCAN_SHIFT, and m &= m - 1 moves on
 * to the next.  It reads all SCAN_BLOCK bytes (at most SCAN_SLACK past
 * the caller's data); scan_below(n) masks off the bytes from n on. */
#define SCAN_WORD_SHIFT 3	/* the word loop: a flag in bit 7 of a byte */

/* The portable block of 8 bytes, x = the block ^ delim in every byte:
 * (x & 0x7F..) + 0x7F.. sets bit 7 of each byte whose low bits
 * are not all zero, with no carry between bytes, so ~(that | x | 0x7F..)
 * leaves bit 7 set for exactly the zero bytes of x. */
static inline uint64_t scan_mask_word(const unsigned char *src,
				      unsigned char delim)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101u, low7 = ones * 0x7F;
	uint64_t x;

	memcpy(&x, src, 8);
	x ^= ones * delim;
	return ~(((x & low7) + low7) | x | low7);
#else
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		m |= (uint64_t)(src[i] == delim) << (i * 8 + 7);
	return m;
#endif
}

#if defined(SCAN_SSE2)
#define SCAN_BLOCK 16
#define SCAN_SHIFT 0
static inline uint64_t scan_mask_simd(const unsigned char *src,
				      unsigned char delim)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)src);

	return (unsigned)_mm_movemask_epi8(
		_mm_cmpeq_epi8(v, _mm_set1_epi8((char)delim)));
}
#elif defined(SCAN_NEON)
#define SCAN_BLOCK 16
#define SCAN_SHIFT 2
/* NEON has no movemask: narrowing the 0x00/0xFF compare result by 4 bits
 * gives a 64-bit mask with 4 bits a byte, of which the top one is kept,
 * so that m &= m - 1 clears a whole byte's flag. */
static inline uint64_t scan_mask_simd(const unsigned char *src,
				      unsigned char delim)
{
	uint8x16_t eq = vceqq_u8(vld1q_u8(src), vdupq_n_u8(delim));

	return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(
		       vreinterpretq_u16_u8(eq), 4)), 0) &
	       0x8888888888888888u;
}
#else
#define SCAN_BLOCK 8
#define SCAN_SHIFT SCAN_WORD_SHIFT
#endif

static inline uint64_t scan_mask(const unsigned char *src, unsigned char delim)
{
#if defined(SCAN_SSE2) || defined(SCAN_NEON)
	return scan_mask_simd(src, delim);
#else
	return scan_mask_word(src, delim);
#endif
}

/* The bits of the first n bytes of a block, n < SCAN_BLOCK. */
static inline uint64_t scan_below(size_t n)
{
	return ((uint64_t)1 << (n << SCAN_SHIFT)) - 1;
}

_Static_assert(SCAN_BLOCK <= SCAN_SLACK, "scan_mask() reads past the data");

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

/* Copy a record of n bytes with room for scan_move() past both ends:
 * up to 16 bytes in one move (inlined), up to SCAN_SHORT in 16-byte
 * moves, where a memcpy() call would cost more than the copy, and
 * longer ones by memcpy(). */
#define SCAN_SHORT 64
static inline void scan_put(unsigned char *dst, const unsigned char *src,
			    size_t n)
{
	if (n <= 16)
		memcpy(dst, src, 16);
	else if (n <= SCAN_SHORT)
		scan_move(dst, src, n);
	else
		memcpy(dst, src, n);
}

/* Which loop scan_mask() is: for benchmarks and -V style reports. */
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
