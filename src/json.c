#include "compat.h"
#include <stdint.h>
#include <string.h>

#include "hex.h"
#include "json.h"

/* Length of the UTF-8 sequence at s[0..n), 0 if it is invalid, or -1 if
 * it is a valid beginning cut short by the end of the piece. */
static int utf8_len(const unsigned char *s, size_t n)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	int len;

	if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

static size_t put_u(char *d, unsigned char b)
{
	static const char hex[] = "0123456789abcdef";

	memcpy(d, "\\u00", 4);
	d[4] = hex[b >> 4];
	d[5] = hex[b & 15];
	return 6;
}

/* An ASCII byte that is not plain() (below): its escape. */
static size_t put_byte(char *d, unsigned char b)
{
	switch (b) {
	case '"':  memcpy(d, "\\\"", 2); return 2;
	case '\\': memcpy(d, "\\\\", 2); return 2;
	case '\b': memcpy(d, "\\b", 2); return 2;
	case '\f': memcpy(d, "\\f", 2); return 2;
	case '\n': memcpy(d, "\\n", 2); return 2;
	case '\r': memcpy(d, "\\r", 2); return 2;
	case '\t': memcpy(d, "\\t", 2); return 2;
	}
	return put_u(d, b);
}

/* A byte that stands for itself in a JSON string. */
static int plain(unsigned char b)
{
	return b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
}

/* Whether all 8 bytes at p are plain().  x - 0x20.. & ~x & 0x80.. is
 * nonzero exactly when some byte of x is below 0x20 (any borrow starts
 * at such a byte), and a byte equal to c is a zero byte of x ^ c.. . */
static int word_plain(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	uint64_t x, q, b;

	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return !((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
		  ((b - ones) & ~b)) & high);
}

size_t json_escape(struct json *j, const unsigned char *p, size_t n, int last,
		   char *dst)
{
	unsigned char tmp[8];
	size_t out = 0, i = 0, k;
	int len;

	/* Finish a sequence left over from the previous piece by working on
	 * a small copy of its start joined to this piece's first bytes. */
	while (j->n) {
		k = n < sizeof tmp - j->n ? n : sizeof tmp - j->n;
		memcpy(tmp, j->carry, j->n);
		memcpy(tmp + j->n, p, k);
		len = utf8_len(tmp, j->n + k);
		if (len < 0 && !last) {	/* still incomplete: keep it all */
			memcpy(j->carry + j->n, p, k);
			j->n = (unsigned char)(j->n + k);
			return out;
		}
		if (len > 0) {
			memcpy(dst + out, tmp, (size_t)len);
			out += (size_t)len;
			i = (size_t)len - j->n;
			j->n = 0;
			break;
		}
		/* Invalid: escape the first carried byte, retry the rest. */
		out += put_u(dst + out, j->carry[0]);
		memmove(j->carry, j->carry + 1, --j->n);
		if (j->n == 0)
			break;
	}
	while (i < n) {
		/* Most text needs no escaping: 8 bytes at a time while none
		 * does, then a byte at a time, before the general case. */
		if (n - i >= 8 && word_plain(p + i)) {
			memcpy(dst + out, p + i, 8);
			out += 8;
			i += 8;
			continue;
		}
		if (plain(p[i])) {
			dst[out++] = (char)p[i++];
			continue;
		}
		if (p[i] < 0x80) {
			out += put_byte(dst + out, p[i++]);
			continue;
		}
		len = utf8_len(p + i, n - i);
		if (len > 0) {
			memcpy(dst + out, p + i, (size_t)len);
			out += (size_t)len;
			i += (size_t)len;
		} else if (len < 0 && !last) {
			j->n = (unsigned char)(n - i);
			memcpy(j->carry, p + i, n - i);
			break;
		} else {
			out += put_u(dst + out, p[i++]);
		}
	}
	return out;
}

/* Decoding, for send --json. */

static ssize_t fail(size_t *col, const char **why, size_t at, const char *m)
{
	*col = at + 1;
	*why = m;
	return -1;
}

static int json_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The 16-bit value of the four hex digits at s[0..n), or -1. */
static long hex4(const unsigned char *s, size_t n)
{
	long v = 0;
	int d;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		d = hex_digit(s[i]);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static size_t put_utf8(unsigned char *d, unsigned long c)
{
	if (c < 0x80) {
		d[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (unsigned char)(0xc0 | c >> 6);
		d[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (unsigned char)(0xe0 | c >> 12);
		d[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		d[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	d[0] = (unsigned char)(0xf0 | c >> 18);
	d[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	d[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	d[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* \uXXXX at s[0..n), or a surrogate pair \uD8XX\uDCXX: the code point,
 * *used set to the input bytes it took; -1 with *why on error. */
static long unicode(const unsigned char *s, size_t n, size_t *used,
		    const char **why)
{
	long hi = hex4(s + 2, n - 2), lo;

	*why = "\\u needs four hex digits";
	if (hi < 0)
		return -1;
	*used = 6;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	*why = "lone surrogate";
	if (hi > 0xdbff || n < 12 || s[6] != '\\' || s[7] != 'u')
		return -1;
	lo = hex4(s + 8, n - 8);
	if (lo < 0xdc00 || lo > 0xdfff)
		return -1;
	*used = 12;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* The escape at s[0] == '\\' (n bytes left): its bytes appended at dst,
 * *w advanced; returns the input bytes it took, or 0 with *why. */
static size_t unescape(const unsigned char *s, size_t n, unsigned char *dst,
		       size_t *w, const char **why)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	size_t used;
	long c;

	*why = "bad escape";
	if (n < 2)
		return 0;
	if (s[1] == 'u') {
		c = unicode(s, n, &used, why);
		if (c < 0)
			return 0;
		*w += put_utf8(dst + *w, (unsigned long)c);
		return used;
	}
	e = s[1] ? strchr(from, s[1]) : NULL;
	if (!e)
		return 0;
	dst[(*w)++] = (unsigned char)to[e - from];
	return 2;
}

ssize_t json_decode(const char *line, size_t n, unsigned char *dst,
		    size_t *col, const char **why)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i = 0, w = 0, k;
	int len;

	while (i < n && json_ws(s[i]))
		i++;
	if (i == n || s[i] != '"')
		return fail(col, why, i, "expected a JSON string");
	/* Writes never overtake reads (each form decodes to at most its
	 * own length), which is what makes dst == s safe. */
	for (i++; i < n && s[i] != '"'; i += k) {
		k = 1;
		if (s[i] == '\\') {
			k = unescape(s + i, n - i, dst, &w, why);
			if (!k)
				return fail(col, why, i, *why);
		} else if (s[i] < 0x20) {
			return fail(col, why, i, "control character not "
					      "escaped");
		} else if (s[i] < 0x80) {
			dst[w++] = s[i];
		} else {
			len = utf8_len(s + i, n - i);
			if (len <= 0)
				return fail(col, why, i, "invalid UTF-8");
			k = (size_t)len;
			memmove(dst + w, s + i, k);
			w += k;
		}
	}
	if (i == n)
		return fail(col, why, n, "unterminated string");
	for (i++; i < n && json_ws(s[i]); i++)
		;
	if (i < n)
		return fail(col, why, i, "text after the string");
	return (ssize_t)w;
}
