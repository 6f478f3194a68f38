/* libFuzzer harness for --format templates (src/template.c).
 *
 * Input: byte 0 picks the piece size (1-64) for streaming, byte 1 the
 * message's sequence number and arrival time from a table; the rest up to
 * the first NUL is the template, after it the payload.  A reference
 * interpreter here walks the template text directly (no compiling) and
 * says what must come out, or at which position the template is bad.
 * Checked:
 *  - tpl_compile accepts exactly what the reference accepts, and an error
 *    names the reference's position;
 *  - tpl_render (whole) and tpl_begin/tpl_data/tpl_end (pieces, later
 *    payload directives read back) both produce the reference's bytes;
 *  - tpl_delim answers only for "%s" plus one literal byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "json.h"
#include "template.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* Times with their expected renderings, written out by hand. */
static const struct {
	time_t sec;
	long nsec;
	const char *t, *iso;
} times[] = {
	{ 0, 0, "0.000000", "1970-01-01T00:00:00.000000Z" },
	{ 1700000000, 123456789, "1700000000.123456",
	  "2023-11-14T22:13:20.123456Z" },
	{ -1, 500000000, "-0.500000", "1969-12-31T23:59:59.500000Z" },
	{ 253402300799, 999999999, "253402300799.999999",
	  "9999-12-31T23:59:59.999999Z" },
	{ 1, 999, "1.000000", "1970-01-01T00:00:01.000000Z" },
};
#define NTIMES (sizeof times / sizeof times[0])

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static void put(void *ctx, const void *p, size_t n)
{
	struct buf *b = ctx;

	if (n == 0)
		return;
	if (!b->p || n > b->cap - b->n) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		CHECK(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void ref_payload(struct buf *b, char kind, const unsigned char *p,
			size_t n)
{
	struct json js = { { 0 }, 0 };
	char *tmp = malloc(JSON_MAX_OUT(n) + 2 * n + 1);
	char h[3];

	CHECK(tmp);
	if (kind == 's')
		put(b, p, n);
	for (size_t i = 0; kind == 'x' && i < n; i++) {
		snprintf(h, sizeof h, "%02x", p[i]);
		put(b, h, 2);
	}
	if (kind == 'j') {
		put(b, "\"", 1);
		put(b, tmp, json_escape(&js, p, n, 1, tmp));
		put(b, "\"", 1);
	}
	free(tmp);
}

static int xval(char c)
{
	const char *d = "0123456789abcdef0123456789ABCDEF", *q;

	q = c ? strchr(d, c) : NULL;
	return q ? (int)((q - d) % 16) : -1;
}

/* What fmt must render to; returns 0, or the 1-based bad position. */
static size_t reference(const char *f, const unsigned char *p, size_t n,
			const char *pipe, unsigned seq, unsigned ti,
			struct buf *b)
{
	char num[32];

	for (size_t i = 0; f[i]; i++) {
		if (f[i] == '\\') {
			char c = f[i + 1];
			const char *e = strchr("nt\\", c ? c : 'q');
			if (e) {
				put(b, &"\n\t\\"[e - "nt\\"], 1);
			} else if (c == '0' && !(f[i + 2] >= '0' &&
						 f[i + 2] <= '9')) {
				put(b, "", 1);
			} else if (c == 'x' && xval(f[i + 2]) >= 0 &&
				   xval(f[i + 3]) >= 0) {
				unsigned char v = (unsigned char)
					(xval(f[i + 2]) * 16 + xval(f[i + 3]));
				put(b, &v, 1);
				i += 2;
			} else {
				return i + 1;
			}
			i++;
			continue;
		}
		if (f[i] != '%') {
			put(b, f + i, 1);
			continue;
		}
		switch (f[++i]) {
		case '%': puts_(b, "%"); break;
		case 's': case 'j': case 'x': ref_payload(b, f[i], p, n); break;
		case 'n': snprintf(num, sizeof num, "%zu", n); puts_(b, num);
			  break;
		case 'i': snprintf(num, sizeof num, "%u", seq); puts_(b, num);
			  break;
		case 'p': puts_(b, pipe); break;
		case 't': puts_(b, times[ti].t); break;
		case 'T': puts_(b, times[ti].iso); break;
		default: return i;	/* the '%' at i - 1, 1-based */
		}
	}
	return 0;
}

static int copy_back(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy(buf, (const unsigned char *)ctx + off, n);
	return 0;
}

static void streamed(const struct tpl *t, struct tpl_msg *m,
		     const unsigned char *p, size_t n, size_t piece,
		     struct buf *b)
{
	struct tpl_sink out = { put, b };
	struct tpl_run r;
	unsigned char *copy = malloc(n + 1);
	size_t k;

	CHECK(copy);
	memcpy(copy, p, n);
	m->reread = copy_back;
	m->rctx = copy;
	tpl_begin(&r, t, m, out);
	for (size_t off = 0; off < n; off += k) {
		k = n - off < piece ? n - off : piece;
		tpl_data(&r, p + off, k);
	}
	CHECK(tpl_end(&r) == 0);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf want = { 0 }, whole = { 0 }, pieces = { 0 };
	struct tpl t;
	struct tpl_msg m;
	char err[128], *fmt;
	const unsigned char *p, *nul;
	size_t n, flen, bad, piece;
	unsigned ti, seq;

	if (size < 2)
		return 0;
	piece = data[0] % 64 + 1;
	ti = data[1] % NTIMES;
	seq = data[1] / NTIMES + 1u;
	nul = memchr(data + 2, 0, size - 2);
	flen = nul ? (size_t)(nul - (data + 2)) : size - 2;
	fmt = malloc(flen + 1);
	CHECK(fmt);
	memcpy(fmt, data + 2, flen);
	fmt[flen] = '\0';
	p = nul ? nul + 1 : data + size;
	n = (size_t)(data + size - p);

	bad = reference(fmt, p, n, "a pipe", seq, ti, &want);
	if (tpl_compile(fmt, &t, err, sizeof err)) {
		char pos[40];
		snprintf(pos, sizeof pos, "position %zu: ", bad);
		CHECK(bad > 0);
		CHECK(strncmp(err, pos, strlen(pos)) == 0);
	} else {
		struct tpl_sink out = { put, &whole };
		int d = tpl_delim(&t);

		CHECK(bad == 0);
		memset(&m, 0, sizeof m);
		m.len = n;
		m.pipe = "a pipe";
		m.seq = seq;
		m.at.tv_sec = times[ti].sec;
		m.at.tv_nsec = times[ti].nsec;
		tpl_render(&t, &m, p, out);
		streamed(&t, &m, p, n, piece, &pieces);
		CHECK(whole.n == want.n && pieces.n == want.n);
		CHECK(want.n == 0 || memcmp(whole.p, want.p, want.n) == 0);
		CHECK(want.n == 0 || memcmp(pieces.p, want.p, want.n) == 0);
		CHECK(d == -1 || (t.nitem == 2 && t.item[0].kind == 's'));
		tpl_free(&t);
	}
	free(want.p);
	free(whole.p);
	free(pieces.p);
	free(fmt);
	return 0;
}
