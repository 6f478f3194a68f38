/* --format templates: compiled once, rendered per message.  No I/O: the
 * output goes through a sink, so the receiver's output buffer (or a test)
 * decides where bytes land.
 *
 * Directives: %s payload as is, %j payload as a JSON string literal with
 * its quotes (exactly a --json line without the newline), %x payload in
 * lowercase hex, %n payload length, %p pipe name, %i sequence number,
 * %t arrival time as Unix seconds.microseconds, %T the same in ISO 8601
 * UTC (2026-12-04T15:34:30.123456Z), %% a percent sign.  Escapes: \n \t
 * \0 \\ and \xHH (exactly two hex digits, either case).  Everything else
 * is copied as is; nothing is added (no newline unless the template says
 * \n).
 *
 * Memory stays bounded for any message size: a payload is rendered piece
 * by piece as it arrives (tpl_begin, tpl_data..., tpl_end).  Only %s, %j
 * and %x need the payload; the other directives are known at the header.
 * A template that names the payload more than once needs it again for
 * the second and later directives: tpl_end asks the message's reread
 * callback for it, so the caller decides where a copy lives. */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "json.h"

/* One step of a compiled template: a directive, or literal bytes. */
struct tpl_item {
	char kind;		/* 'L' literal, else the directive letter */
	size_t off, len;	/* 'L': its bytes in tpl.lit */
};

struct tpl {
	struct tpl_item *item;
	size_t nitem;
	unsigned char *lit;	/* the literal bytes, escapes resolved */
	size_t nlit;
	size_t npayload;	/* how many of %s %j %x */
};

/* Where output goes: put(ctx, p, n) appends n bytes. */
struct tpl_sink {
	void (*put)(void *ctx, const void *p, size_t n);
	void *ctx;
};

struct tpl_msg {
	uint64_t len;		/* payload bytes: the frame header's size */
	const char *pipe;	/* %p, as given on the command line */
	uint64_t seq;		/* %i, from 1 */
	struct timespec at;	/* %t %T: when the header arrived (realtime) */
	/* Needed only when tpl.npayload > 1: copy payload bytes
	 * [off, off + n) to buf; nonzero on failure.  tpl_render fills it
	 * in itself. */
	int (*reread)(void *ctx, uint64_t off, void *buf, size_t n);
	void *rctx;
};

/* Rendering state of one message. */
struct tpl_run {
	const struct tpl *t;
	const struct tpl_msg *m;
	struct tpl_sink out;
	size_t next;		/* the first item not yet rendered */
	struct json js;		/* for a %j split across pieces */
};

/* Compile fmt into t.  Returns 0, or -1 with a message naming the 1-based
 * byte position of the fault in err (errlen bytes): an unknown directive,
 * a lone % or \ at the end, an unknown escape, \x without two hex
 * digits.  Memory: tpl_free. */
int tpl_compile(const char *fmt, struct tpl *t, char *err, size_t errlen);
void tpl_free(struct tpl *t);

/* When the template is exactly "%s" and one literal byte ("%s\n",
 * "%s\0"), that byte, so a caller can keep its plain line path; else -1. */
int tpl_delim(const struct tpl *t);

/* Streaming: tpl_begin at the header renders up to the first payload
 * directive, tpl_data renders each piece of payload for it, tpl_end
 * renders the rest.  m must stay valid until tpl_end.  tpl_end returns
 * nonzero if m->reread failed (the output is then incomplete). */
void tpl_begin(struct tpl_run *r, const struct tpl *t,
	       const struct tpl_msg *m, struct tpl_sink out);
void tpl_data(struct tpl_run *r, const void *p, size_t n);
int tpl_end(struct tpl_run *r);

/* A whole message at once: payload p holds m->len bytes. */
void tpl_render(const struct tpl *t, const struct tpl_msg *m, const void *p,
		struct tpl_sink out);

#endif
