/* Option values.  Strict on purpose: "10x", "-1", " 5", "1e3" and "" are
 * all errors, so a typo never turns into a surprising number. */
#include "compat.h"
#include <limits.h>
#include <stdint.h>

#include "fifomsg.h"

static int digits(const char **sp, uint64_t *out, uint64_t limit)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int parse_count(const char *s, uint64_t *out)
{
	return digits(&s, out, INT64_MAX) || *s ? -1 : 0;
}

int parse_secs(const char *s, int64_t *ms)
{
	/* Ten years is "forever" for a timeout and keeps ms arithmetic far
	 * from overflow. */
	const uint64_t max = 10ull * 366 * 24 * 3600;
	uint64_t whole, frac = 0;
	int nd = 0, rest = 0;

	if (digits(&s, &whole, max))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		/* Milliseconds; anything finer rounds up, so "0.0001" still
		 * waits a little rather than not at all. */
		for (; *s >= '0' && *s <= '9'; s++) {
			if (nd < 3) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				nd++;
			} else if (*s != '0') {
				rest = 1;
			}
		}
	}
	if (*s)
		return -1;
	for (; nd < 3; nd++)
		frac *= 10;
	*ms = (int64_t)(whole * 1000 + frac + (uint64_t)rest);
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	uint64_t v, mul = 1;

	if (digits(&s, &v, UINT32_MAX))
		return -1;
	switch (*s) {
	case 'k': case 'K': mul = 1ull << 10; s++; break;
	case 'm': case 'M': mul = 1ull << 20; s++; break;
	case 'g': case 'G': mul = 1ull << 30; s++; break;
	}
	if (*s || v > UINT32_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int parse_mode(const char *s, mode_t *out)
{
	unsigned v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned)(*s - '0');
		if (v > 0777)
			return -1;
	}
	*out = (mode_t)v;
	return 0;
}
