/* libFuzzer harness for the option value parsers (src/args.c).
 *
 * The input, up to its first NUL, is given to each of parse_count,
 * parse_secs, parse_size and parse_mode.  Each result is compared with a
 * reference written differently (digit strings compared as strings, not
 * accumulated), so both wrong acceptances and wrong rejections show:
 *  - count: [0-9]+, at most 2^63-1; the value prints back as the input
 *    without leading zeros;
 *  - secs: [0-9]+(.[0-9]+)?, whole part at most ten years; the result is
 *    never negative and is the fraction rounded up to a millisecond;
 *  - size: [0-9]+[KMGkmg]?, at most 4 GiB - 1; the value divided by the
 *    suffix's multiplier gives back the digits;
 *  - mode: [0-7]+, at most 0777, equal to the octal value. */
#include "compat.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fifomsg.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* Length of the run of characters from set at s. */
static size_t run(const char *s, const char *set)
{
	return strspn(s, set);
}

/* The digit string s[0..n) without leading zeros, "0" if all zeros. */
static const char *strip(const char *s, size_t *n)
{
	while (*n > 1 && *s == '0') {
		s++;
		(*n)--;
	}
	return s;
}

/* Compare digit strings a[0..an) and b (no leading zeros) as numbers. */
static int numcmp(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);

	a = strip(a, &an);
	if (an != bn)
		return an < bn ? -1 : 1;
	return strncmp(a, b, an);
}

static void check_count(const char *s)
{
	uint64_t v = 12345;
	size_t n = run(s, "0123456789");
	int ok = n > 0 && s[n] == '\0' && numcmp(s, n, "9223372036854775807") <= 0;
	char buf[32];

	CHECK((parse_count(s, &v) == 0) == ok);
	if (!ok)
		return;
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	CHECK(strcmp(buf, strip(s, &n)) == 0);
}

static void check_secs(const char *s)
{
	int64_t ms = -12345, expect;
	size_t w = run(s, "0123456789"), f, fl = 0, k;
	int ok = w > 0 && numcmp(s, w, "316224000") <= 0;
	char whole[16];
	const char *d;

	f = w + 1;
	if (ok && s[w] == '.') {
		fl = run(s + f, "0123456789");
		ok = fl > 0 && s[f + fl] == '\0';
	} else if (ok) {
		ok = s[w] == '\0';
	}
	CHECK((parse_secs(s, &ms) == 0) == ok);
	if (!ok)
		return;
	k = w;
	d = strip(s, &k);
	memcpy(whole, d, k);
	whole[k] = '\0';
	/* The fraction in milliseconds, rounded up: the first three digits
	 * (missing ones are zeros), plus one if any later digit is not 0. */
	expect = (int64_t)strtoll(whole, NULL, 10) * 1000;
	for (size_t i = 0; i < 3; i++)
		expect += (i < fl ? s[f + i] - '0' : 0) * (i == 0 ? 100 :
							  i == 1 ? 10 : 1);
	if (fl > 3 && run(s + f + 3, "0") < fl - 3)
		expect++;
	CHECK(ms >= 0);
	CHECK(ms == expect);
}

static void check_size(const char *s)
{
	uint64_t v = 12345, mul = 1, digits;
	size_t n = run(s, "0123456789");
	const char *suf = s + n;
	int ok = n > 0;
	char buf[32];

	if (ok && *suf && strchr("kKmMgG", *suf)) {
		mul = strchr("kK", *suf) ? 1u << 10 :
		      strchr("mM", *suf) ? 1u << 20 : 1u << 30;
		suf++;
	}
	ok = ok && *suf == '\0' && numcmp(s, n, "4294967295") <= 0;
	if (ok) {
		char tmp[16];
		size_t k = n;
		const char *d = strip(s, &k);
		memcpy(tmp, d, k);
		tmp[k] = '\0';
		digits = strtoull(tmp, NULL, 10);
		ok = digits <= UINT32_MAX / mul;
	} else {
		digits = 0;
	}
	CHECK((parse_size(s, &v) == 0) == ok);
	if (!ok)
		return;
	CHECK(v <= UINT32_MAX);
	CHECK(v % mul == 0 && v / mul == digits);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)(v / mul));
	suf = strip(s, &n);
	CHECK(strlen(buf) == n && strncmp(buf, suf, n) == 0);
}

static void check_mode(const char *s)
{
	mode_t v = 01234;
	size_t n = run(s, "01234567");
	int ok = n > 0 && s[n] == '\0';
	char buf[32];

	if (ok) {
		size_t k = n;
		strip(s, &k);
		ok = k <= 3;	/* three octal digits: at most 0777 */
	}
	CHECK((parse_mode(s, &v) == 0) == ok);
	if (!ok)
		return;
	CHECK(v <= 0777);
	snprintf(buf, sizeof buf, "%o", (unsigned)v);
	CHECK(strcmp(buf, strip(s, &n)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading past the NUL is caught. */
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);

	CHECK(s);
	memcpy(s, data, n);
	s[n] = '\0';
	check_count(s);
	check_secs(s);
	check_size(s);
	check_mode(s);
	free(s);
	return 0;
}
