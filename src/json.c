#include "compat.h"
#include <string.h>

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
	if (b < 0x20)
		return put_u(d, b);
	*d = (char)b;
	return 1;
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
