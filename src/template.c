#include "compat.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "template.h"

/* Compiling. */

static int payload(char kind)
{
	return kind == 's' || kind == 'j' || kind == 'x';
}

/* c as it may be shown in a one-line message. */
static const char *show(unsigned char c, char buf[8])
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

static void add(struct tpl *t, char kind)
{
	t->item[t->nitem].kind = kind;
	t->item[t->nitem].off = t->item[t->nitem].len = 0;
	t->nitem++;
	if (payload(kind))
		t->npayload++;
}

/* Append one literal byte, to the last item if that is a literal. */
static void add_lit(struct tpl *t, unsigned char b)
{
	struct tpl_item *last = t->nitem ? &t->item[t->nitem - 1] : NULL;

	if (!last || last->kind != 'L') {
		add(t, 'L');
		last = &t->item[t->nitem - 1];
		last->off = t->nlit;
	}
	t->lit[t->nlit++] = b;
	last->len++;
}

/* The escape at s[0] == '\\': its byte in *b and the length it takes, or
 * 0 with the reason in err. */
static size_t escape(const char *s, unsigned char *b, char *err,
		     size_t errlen)
{
	char buf[8];
	int hi, lo;

	switch (s[1]) {
	case 'n': *b = '\n'; return 2;
	case 't': *b = '\t'; return 2;
	case '\\': *b = '\\'; return 2;
	case '0':
		/* Not octal: "\012" would silently be NUL, '1', '2'. */
		if (s[2] >= '0' && s[2] <= '9')
			break;
		*b = '\0';
		return 2;
	case 'x':
		hi = hex_digit(s[2]);
		lo = hi < 0 ? -1 : hex_digit(s[3]);
		if (lo < 0) {
			snprintf(err, errlen, "\\x needs two hex digits");
			return 0;
		}
		*b = (unsigned char)(hi << 4 | lo);
		return 4;
	case '\0':
		snprintf(err, errlen, "lone \\ at the end");
		return 0;
	default:
		snprintf(err, errlen, "unknown escape \\%s",
			 show((unsigned char)s[1], buf));
		return 0;
	}
	snprintf(err, errlen, "\\0 followed by a digit (no octal escapes; "
		 "use \\xHH)");
	return 0;
}

/* The directive at s[0] == '%': added to t; the length it takes, or 0
 * with the reason in err. */
static size_t directive(struct tpl *t, const char *s, char *err,
			size_t errlen)
{
	char buf[8];

	if (s[1] == '\0') {
		snprintf(err, errlen, "lone %% at the end");
		return 0;
	}
	if (s[1] == '%') {
		add_lit(t, '%');
		return 2;
	}
	if (!strchr("sjxnpitT", s[1])) {
		snprintf(err, errlen, "unknown directive %%%s",
			 show((unsigned char)s[1], buf));
		return 0;
	}
	add(t, s[1]);
	return 2;
}

int tpl_compile(const char *fmt, struct tpl *t, char *err, size_t errlen)
{
	size_t n = strlen(fmt), i, k;
	char why[64];
	unsigned char b;

	memset(t, 0, sizeof *t);
	/* Each item takes at least one byte of fmt, each literal byte too. */
	t->item = malloc((n + 1) * sizeof *t->item);
	t->lit = malloc(n + 1);
	if (!t->item || !t->lit) {
		tpl_free(t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i += k) {
		k = 1;
		if (fmt[i] == '%') {
			k = directive(t, fmt + i, why, sizeof why);
		} else if (fmt[i] == '\\') {
			k = escape(fmt + i, &b, why, sizeof why);
			if (k)
				add_lit(t, b);
		} else {
			add_lit(t, (unsigned char)fmt[i]);
		}
		if (!k) {
			snprintf(err, errlen, "position %zu: %s", i + 1, why);
			tpl_free(t);
			return -1;
		}
	}
	return 0;
}

void tpl_free(struct tpl *t)
{
	free(t->item);
	free(t->lit);
	memset(t, 0, sizeof *t);
}

int tpl_delim(const struct tpl *t)
{
	if (t->nitem != 2 || t->item[0].kind != 's' || t->item[1].len != 1)
		return -1;
	return t->lit[t->item[1].off];
}

/* Rendering. */

static void put(const struct tpl_run *r, const void *p, size_t n)
{
	r->out.put(r->out.ctx, p, n);
}

static void put_num(const struct tpl_run *r, uint64_t v)
{
	char b[24];
	int k = snprintf(b, sizeof b, "%llu", (unsigned long long)v);

	put(r, b, (size_t)k);
}

/* Microseconds are truncated, not rounded, so %t and %T agree and never
 * show a second's worth of them. */
static void put_time(const struct tpl_run *r, int iso)
{
	struct timespec ts = r->m->at;
	long long s = (long long)ts.tv_sec;
	long us = ts.tv_nsec / 1000;
	struct tm tm;
	char b[80];
	int k;

	if (iso && gmtime_r(&ts.tv_sec, &tm))
		k = snprintf(b, sizeof b, "%04lld-%02d-%02dT%02d:%02d:%02d."
			     "%06ldZ", tm.tm_year + 1900LL, tm.tm_mon + 1,
			     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
	else if (s < 0 && us > 0)	/* -1.5 s is tv_sec -2, 0.5e9 ns */
		k = snprintf(b, sizeof b, "-%lld.%06ld", -(s + 1),
			     1000000 - us);
	else
		k = snprintf(b, sizeof b, "%lld.%06ld", s, us);
	put(r, b, (size_t)k);
}

/* Render the items from r->next on up to the next payload directive;
 * returns 1 if there is one (r->next is then its index). */
static int run_to_payload(struct tpl_run *r)
{
	const struct tpl *t = r->t;
	const struct tpl_item *it;

	for (; r->next < t->nitem; r->next++) {
		it = &t->item[r->next];
		switch (it->kind) {
		case 'L': put(r, t->lit + it->off, it->len); break;
		case 'n': put_num(r, r->m->len); break;
		case 'i': put_num(r, r->m->seq); break;
		case 'p':
			if (r->m->pipe)
				put(r, r->m->pipe, strlen(r->m->pipe));
			break;
		case 't': put_time(r, 0); break;
		case 'T': put_time(r, 1); break;
		default: return 1;	/* %s %j %x */
		}
	}
	return 0;
}

static char kind(const struct tpl_run *r)
{
	return r->t->item[r->next].kind;
}

/* The start of the payload directive at r->next. */
static void open_payload(struct tpl_run *r)
{
	memset(&r->js, 0, sizeof r->js);
	if (kind(r) == 'j')
		put(r, "\"", 1);
}

/* One piece of payload for it, converted in small steps so that output
 * space stays on the stack whatever the piece's size. */
static void piece(struct tpl_run *r, const unsigned char *p, size_t n)
{
	char tmp[JSON_MAX_OUT(1024)];
	size_t k, step = kind(r) == 'x' ? sizeof tmp / 2 : 1024;

	if (kind(r) == 's') {
		put(r, p, n);
		return;
	}
	for (; n; p += k, n -= k) {
		k = n < step ? n : step;
		if (kind(r) == 'x') {
			hex_encode(p, k, tmp);
			put(r, tmp, 2 * k);
		} else {
			put(r, tmp, json_escape(&r->js, p, k, 0, tmp));
		}
	}
}

static void close_payload(struct tpl_run *r)
{
	char tmp[JSON_MAX_OUT(0)];

	if (kind(r) != 'j')
		return;
	/* Bytes held back as a possible start of a UTF-8 sequence. */
	put(r, tmp, json_escape(&r->js, (const unsigned char *)"", 0, 1, tmp));
	put(r, "\"", 1);
}

/* A second or later payload directive: the payload once more, read back
 * through the message's callback. */
static int replay(struct tpl_run *r)
{
	unsigned char buf[4096];
	uint64_t off;
	size_t k;

	if (!r->m->reread)
		return -1;
	open_payload(r);
	for (off = 0; off < r->m->len; off += k) {
		k = r->m->len - off < sizeof buf ? (size_t)(r->m->len - off)
						 : sizeof buf;
		if (r->m->reread(r->m->rctx, off, buf, k))
			return -1;
		piece(r, buf, k);
	}
	close_payload(r);
	return 0;
}

void tpl_begin(struct tpl_run *r, const struct tpl *t,
	       const struct tpl_msg *m, struct tpl_sink out)
{
	r->t = t;
	r->m = m;
	r->out = out;
	r->next = 0;
	if (run_to_payload(r))
		open_payload(r);
}

void tpl_data(struct tpl_run *r, const void *p, size_t n)
{
	if (r->next < r->t->nitem)
		piece(r, p, n);
}

int tpl_end(struct tpl_run *r)
{
	if (r->next >= r->t->nitem)
		return 0;
	close_payload(r);
	for (r->next++; run_to_payload(r); r->next++) {
		if (replay(r))
			return -1;
	}
	return 0;
}

/* The payload in memory, for tpl_render's replays. */
static int from_memory(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy(buf, (const unsigned char *)ctx + off, n);
	return 0;
}

void tpl_render(const struct tpl *t, const struct tpl_msg *m, const void *p,
		struct tpl_sink out)
{
	struct tpl_msg whole = *m;
	struct tpl_run r;

	whole.reread = from_memory;
	whole.rctx = (void *)(uintptr_t)p;	/* only read from */
	tpl_begin(&r, t, &whole, out);
	tpl_data(&r, p, (size_t)m->len);
	(void)tpl_end(&r);
}
