/* libFuzzer harness for src/hex.c (--format %x, send --hex).
 *
 * Input: the whole of it is x.  Checked:
 *  - hex_encode(x) is 2n lowercase digits, and hex_decode gives x back,
 *    from the lowercase form and from an uppercased one, in place too;
 *  - x decoded as a line succeeds exactly when it is an even number of
 *    characters from [0-9a-fA-F]; otherwise the column is that of the
 *    first other character, or the last one when the count is odd. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void round_trip(const unsigned char *x, size_t n)
{
	char *h = malloc(2 * n + 1);
	unsigned char *out = malloc(n + 1);
	size_t col;
	const char *why;

	CHECK(h && out);
	hex_encode(x, n, h);
	for (size_t i = 0; i < 2 * n; i++)
		CHECK(strchr("0123456789abcdef", h[i]) && h[i]);
	CHECK(hex_decode(h, 2 * n, out, &col, &why) == (ssize_t)n);
	CHECK(n == 0 || memcmp(out, x, n) == 0);
	for (size_t i = 0; i < 2 * n; i++)
		if (h[i] >= 'a')
			h[i] = (char)(h[i] - 'a' + 'A');
	CHECK(hex_decode(h, 2 * n, (unsigned char *)h, &col, &why) ==
	      (ssize_t)n);
	CHECK(n == 0 || memcmp(h, x, n) == 0);
	free(h);
	free(out);
}

static void as_line(const unsigned char *x, size_t n)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	unsigned char *out = malloc(n / 2 + 1);
	size_t col = 0, first = n;
	const char *why = NULL;
	ssize_t k;

	CHECK(out);
	for (size_t i = n; i-- > 0;)
		if (!x[i] || !strchr(digits, x[i]))
			first = i;
	k = hex_decode((const char *)x, n, out, &col, &why);
	if (first < n) {
		CHECK(k == -1 && col == first + 1 && why);
	} else if (n % 2) {
		CHECK(k == -1 && col == n && why);
	} else {
		CHECK(k == (ssize_t)(n / 2));
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size);
	as_line(data, size);
	return 0;
}
