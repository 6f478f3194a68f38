/* Payloads as lowercase hex, for --format's %x and send --hex: the
 * binary-exact text form (--json is lossy on bytes that are not UTF-8).
 * No I/O. */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>
#include <sys/types.h>

/* Write the 2 * n lowercase hex digits of p[0..n) to dst (no NUL). */
void hex_encode(const unsigned char *p, size_t n, char *dst);

/* The value of hex digit c (either case), or -1. */
int hex_digit(int c);

/* Decode the n hex digits at s (either case, nothing else: no spaces, no
 * 0x) into dst, which may be s itself and needs n / 2 bytes.  Returns the
 * number of bytes decoded, or -1 with *col set to the 1-based column of
 * the first character that is not a hex digit, or of the last digit when
 * there is an odd number of them, and *why to a short reason. */
ssize_t hex_decode(const char *s, size_t n, unsigned char *dst, size_t *col,
		const char **why);

#endif
