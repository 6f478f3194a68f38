/* libFuzzer harness for json_decode (src/json.c), the input side of
 * send --json.
 *
 * Input: byte 0 picks a piece size (1-16) and the whitespace put around
 * the literal; the rest is x.  Checked:
 *  - x decoded as a line: no crash; an error's column is in 1..len+1; a
 *    result is never longer than x, is the same decoded in place, and
 *    survives escape-then-decode unchanged (so it is valid UTF-8);
 *  - x as a payload, escaped by json_escape in pieces (as listen --json
 *    prints it) and quoted, always decodes, and gives x back exactly when
 *    x is valid UTF-8 by the independent check below (the round trip
 *    listen --json | send --json must be the identity on those);
 *  - valid x with its code points written as \uXXXX escapes (surrogate
 *    pairs above U+FFFF; every other one, or all, in upper or lower case)
 *    decodes to x: the escapes json_escape never writes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* UTF-8 validity by decoding code points (RFC 3629), not by byte ranges
 * as json.c does. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	unsigned long c;

	while (i < n) {
		if (s[i] < 0x80) { i++; continue; }
		if ((s[i] & 0xe0) == 0xc0) { k = 1; c = s[i] & 0x1fu; }
		else if ((s[i] & 0xf0) == 0xe0) { k = 2; c = s[i] & 0x0fu; }
		else if ((s[i] & 0xf8) == 0xf0) { k = 3; c = s[i] & 0x07u; }
		else return 0;
		if (i + k >= n)	/* cut short */
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + j] & 0x3fu);
		}
		if ((k == 1 && c < 0x80) || (k == 2 && c < 0x800) ||
		    (k == 3 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* Code point at s (valid UTF-8), its length in *k. */
static unsigned long code_point(const unsigned char *s, size_t *k)
{
	unsigned long c;

	if (s[0] < 0x80) {
		*k = 1;
		return s[0];
	}
	*k = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	c = s[0] & (0x7fu >> *k);
	for (size_t j = 1; j < *k; j++)
		c = c << 6 | (s[j] & 0x3fu);
	return c;
}

static size_t put_u(char *s, unsigned long c, unsigned mode)
{
	int k = mode & 1 ? sprintf(s, "\\u%04lX", c)
			 : sprintf(s, "\\u%04lx", c);

	return (size_t)k;
}

/* '"' + x (valid UTF-8) with code points as \u escapes + '"': all of
 * them or every other one, hex digits upper or lower case. */
static char *u_escaped(const unsigned char *x, size_t n, unsigned mode,
		       size_t *len)
{
	char *s = malloc(12 * n + 3);
	size_t o = 0, k;
	unsigned long c;

	CHECK(s);
	s[o++] = '"';
	for (size_t i = 0, nth = 0; i < n; i += k, nth++) {
		c = code_point(x + i, &k);
		if ((mode & 2) && nth % 2) {
			if (c == '"' || c == '\\' || c < 0x20) {
				o += put_u(s + o, c, mode);
			} else {
				memcpy(s + o, x + i, k);
				o += k;
			}
		} else if (c >= 0x10000) {
			c -= 0x10000;
			o += put_u(s + o, 0xd800 + (c >> 10), mode);
			o += put_u(s + o, 0xdc00 + (c & 0x3ff), mode);
		} else {
			o += put_u(s + o, c, mode);
		}
	}
	s[o++] = '"';
	*len = o;
	return s;
}

/* '"' + json_escape(x) in pieces + '"', with ws before and after. */
static char *quote(const unsigned char *x, size_t n, size_t piece,
		   const char *ws, size_t *len)
{
	struct json js = { { 0 }, 0 };
	size_t w = strlen(ws), o = 0, k;
	char *s = malloc(2 * w + 2 + JSON_MAX_OUT(n) + JSON_MAX_OUT(0));

	CHECK(s);
	memcpy(s, ws, w);
	o = w;
	s[o++] = '"';
	for (size_t i = 0; i < n; i += k) {
		k = n - i < piece ? n - i : piece;
		o += json_escape(&js, x + i, k, 0, s + o);
	}
	o += json_escape(&js, (const unsigned char *)"", 0, 1, s + o);
	s[o++] = '"';
	memcpy(s + o, ws, w);
	*len = o + w;
	return s;
}

/* x as a line: the checks on arbitrary input. */
static void as_line(const unsigned char *x, size_t n)
{
	unsigned char *out = malloc(n + 1), *in = malloc(n + 1);
	size_t col = 0, col2 = 0, qlen;
	const char *why = NULL, *why2 = NULL;
	ssize_t k, k2;
	char *q;

	CHECK(out && in);
	memcpy(in, x, n);
	k = json_decode((const char *)x, n, out, &col, &why);
	k2 = json_decode((const char *)in, n, in, &col2, &why2);
	CHECK(k == k2);
	if (k < 0) {
		CHECK(col >= 1 && col <= n + 1 && why && *why);
		CHECK(col == col2 && why == why2);
	} else {
		CHECK((size_t)k <= n);
		CHECK(memcmp(out, in, (size_t)k) == 0);
		CHECK(valid_utf8(out, (size_t)k));
		q = quote(out, (size_t)k, 7, "", &qlen);
		CHECK(json_decode(q, qlen, in, &col, &why) == k);
		CHECK(memcmp(out, in, (size_t)k) == 0);
		free(q);
	}
	free(out);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ws[] = { "", " ", "\t \r", "\r" };
	const unsigned char *x = data + 1;
	size_t n = size ? size - 1 : 0, qlen, col;
	const char *why;
	unsigned char *out;
	ssize_t k;
	char *q;

	if (size < 1)
		return 0;
	as_line(x, n);
	q = quote(x, n, data[0] % 16 + 1u, ws[data[0] / 16 % 4], &qlen);
	out = malloc(qlen + 1);
	CHECK(out);
	k = json_decode(q, qlen, out, &col, &why);
	CHECK(k >= 0);
	CHECK(((size_t)k == n && memcmp(out, x, n) == 0) == valid_utf8(x, n));
	free(out);
	free(q);
	if (!valid_utf8(x, n))
		return 0;
	q = u_escaped(x, n, data[0] >> 6, &qlen);
	out = malloc(qlen + 1);
	CHECK(out);
	k = json_decode(q, qlen, out, &col, &why);
	CHECK(k == (ssize_t)n);
	CHECK(memcmp(out, x, n) == 0);
	free(out);
	free(q);
	return 0;
}
