#include "compat.h"
#include "hex.h"

void hex_encode(const unsigned char *p, size_t n, char *dst)
{
	static const char digit[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		*dst++ = digit[p[i] >> 4];
		*dst++ = digit[p[i] & 15];
	}
}

/* Spelled out rather than isxdigit(): the locale must not widen what a
 * line may contain. */
int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t hex_decode(const char *s, size_t n, unsigned char *dst, size_t *col,
		const char **why)
{
	size_t i;
	int hi, lo;

	/* Check everything first so that a bad line leaves dst untouched
	 * and the error names the first bad character, not the pair. */
	for (i = 0; i < n; i++) {
		if (hex_digit(s[i]) < 0) {
			*col = i + 1;
			*why = "not a hex digit";
			return -1;
		}
	}
	if (n % 2) {
		*col = n;
		*why = "odd number of hex digits";
		return -1;
	}
	/* In place works: byte i/2 is written after digits i and i+1 are
	 * read, and never ahead of them. */
	for (i = 0; i < n; i += 2) {
		hi = hex_digit(s[i]);
		lo = hex_digit(s[i + 1]);
		dst[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (ssize_t)(n / 2);
}
