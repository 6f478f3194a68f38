/* fifomsg publish: each message, whole, to every subscriber of a
 * directory (deliver.c).  Messages are packed into batches of at most
 * PIPE_BUF bytes as send packs them, and a batch goes out whenever the
 * input would block, so a line typed is published at once while a burst
 * costs one write per subscriber per batch. */
#define _GNU_SOURCE	/* getopt_long */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "fanout.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"

static const char usage[] =
	"fifomsg publish [-0 | -w] [-v] [-t SECS] [--drop] [--wait] "
	"[--max-size N] [--force] DIR [MESSAGE...]";
static const char help[] =
	"\n\n"
	"Publish each MESSAGE, or else each line of standard input, to every\n"
	"subscriber in DIR (fifomsg subscribe DIR): each gets every message\n"
	"whole.  A message with no subscriber is dropped.\n"
	"\n"
	"  -0, --null        input records end in NUL, not newline\n"
	"  -w, --whole       all of standard input is one message\n"
	"      --drop        never wait for a slow subscriber: it misses\n"
	"                    whole messages instead\n"
	"      --wait        wait for a subscriber when there is none\n"
	"  -t, --timeout SECS  give up (exit 3) when a subscriber takes\n"
	"                    nothing, or with --wait none comes, for SECS\n"
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n"
	"      --force       use DIR even if others own or may write to it\n"
	"  -v, --verbose     per subscriber, messages delivered and missed\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

#define INBUF (64 * 1024)

/* The input, one message at a time: records ending in delim, or (delim
 * -1, -w) all of it as one message. */
struct input {
	unsigned char *buf;
	size_t cap, start, end;
	int delim, eof, done;
	uint64_t max;
};

/* The batch being filled: whole frames, ends[i] where frame i ends. */
struct batch {
	unsigned char *buf;
	size_t len, n;
	size_t *ends;
};

/* An exit code for an IO_ code; a stop signal ends us in main. */
static int code(int r)
{
	return r == IO_TIMEOUT ? FM_TIMEOUT : r < 0 ? FM_FAIL : r;
}

static int flush(struct pub *p, struct batch *b)
{
	int r = b->n ? pub_batch(p, b->buf, b->len, b->ends, b->n) : 0;

	b->len = b->n = 0;
	return code(r);
}

static int too_big(uint64_t n, uint64_t max, int at_least)
{
	warnx_("message of %s%llu bytes is larger than --max-size %llu",
	       at_least ? "at least " : "", (unsigned long long)n,
	       (unsigned long long)max);
	return FM_MALFORMED;
}

/* One message: into the batch, or on its own if too big for one. */
static int put(struct pub *p, struct batch *b, const unsigned char *m,
	       size_t n, uint64_t max)
{
	int r;

	if (n > max)
		return too_big(n, max, 0);
	if (FRAME_HDR + n > p->pbuf) {
		if ((r = flush(p, b)))
			return r;
		return code(pub_big(p, m, n));
	}
	if (b->len + FRAME_HDR + n > p->pbuf && (r = flush(p, b)))
		return r;
	frame_put(b->buf + b->len, (uint32_t)n);
	memcpy(b->buf + b->len + FRAME_HDR, m, n);
	b->len += FRAME_HDR + n;
	b->ends[b->n++] = b->len;
	return 0;
}

/* Room to read more: move what is left to the front, or grow the buffer
 * (to max + 1 bytes at most, which proves a record too big). */
static int make_room(struct input *in)
{
	unsigned char *nb;
	size_t cap;

	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->end < in->cap)
		return 0;
	if (in->cap > in->max)
		return too_big(in->cap, in->max, 1);
	cap = in->cap ? in->cap * 2 : INBUF;
	if (cap > in->max + 1)
		cap = (size_t)in->max + 1;
	if (!(nb = realloc(in->buf, cap))) {
		warn_("malloc");
		return FM_FAIL;
	}
	in->buf = nb;
	in->cap = cap;
	return 0;
}

/* The next whole message in the buffer: 1 with *m, *n set, else 0. */
static int take(struct input *in, const unsigned char **m, size_t *n)
{
	unsigned char *hit = NULL;

	if (in->done)
		return 0;
	if (in->delim >= 0)
		hit = memchr(in->buf + in->start, in->delim,
			     in->end - in->start);
	if (!hit && !(in->eof && (in->start < in->end || in->delim < 0)))
		return 0;
	*m = in->buf + in->start;
	*n = (hit ? (size_t)(hit - in->buf) : in->end) - in->start;
	in->start += *n + (hit != NULL);
	in->done = in->delim < 0;	/* -w: one message, even if empty */
	return 1;
}

/* The next message: 1 with *m, *n set (valid until the next call); 0 at
 * the end of the input; or an exit code in *err and -1.  The batch goes
 * out before it waits for input. */
static int next(struct input *in, struct pub *p, struct batch *b,
		const unsigned char **m, size_t *n, int *err)
{
	ssize_t k;

	while (!take(in, m, n)) {
		if (in->eof || in->done)
			return 0;
		if ((*err = make_room(in)) || (*err = flush(p, b)))
			return -1;
		k = io_read_in(STDIN_FILENO, in->buf + in->end,
			       in->cap - in->end, 0);
		if (k < 0) {
			if (k == IO_ERR)
				warn_("standard input");
			*err = FM_FAIL;
			return -1;
		}
		in->eof = k == 0;
		in->end += (size_t)k;
	}
	return 1;
}

static int options(int argc, char **argv, struct pub *p, struct input *in,
		   int *force)
{
	static const struct option longs[] = {
		{ "null", no_argument, NULL, '0' },
		{ "whole", no_argument, NULL, 'w' },
		{ "drop", no_argument, NULL, 'D' },
		{ "wait", no_argument, NULL, 'W' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c, mode = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:0wt:vhV", longs, NULL)) != -1) {
		switch (c) {
		case '0': case 'w':
			if (mode && mode != c)
				return usage_err(usage, "-0 and -w cannot be "
						 "combined");
			mode = c;
			in->delim = c == '0' ? '\0' : -1;
			break;
		case 'D': p->drop = 1; break;
		case 'W': p->wait = 1; break;
		case 't':
			if (parse_secs(optarg, &p->timeout))
				return usage_err(usage, "bad timeout '%s' "
						 "(seconds, e.g. 5 or 0.5)",
						 optarg);
			break;
		case 'M':
			if (parse_size(optarg, &in->max))
				return usage_err(usage, "bad size '%s' (0 to "
						 "4G-1; suffix K, M or G)",
						 optarg);
			break;
		case 'f': *force = 1; break;
		case 'v': p->verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
	}
	if (optind >= argc)
		return usage_err(usage, "no DIR given");
	if (mode && optind + 1 < argc)
		return usage_err(usage, "-%c reads standard input: give no "
				 "MESSAGE", mode);
	return -1;
}

static int publish(struct pub *p, struct input *in, struct batch *b,
		   char **msgs, int nmsgs)
{
	const unsigned char *m;
	size_t n;
	int r = 0, k;

	if (nmsgs > 0) {
		for (int i = 0; i < nmsgs && !r; i++)
			r = put(p, b, (unsigned char *)msgs[i],
				strlen(msgs[i]), in->max);
	} else {
		while (!r && next(in, p, b, &m, &n, &r) == 1)
			r = put(p, b, m, n, in->max);
	}
	/* Messages read whole go out, unless a signal or a subscriber
	 * stopped us. */
	if (!io_stop && r != FM_TIMEOUT) {
		k = flush(p, b);
		r = r ? r : k;
	}
	return r;
}

int publish_main(int argc, char **argv)
{
	struct pub p = { .timeout = -1 };
	struct input in = { .delim = '\n', .max = DEFAULT_MAX_SIZE };
	struct batch b = { 0 };
	int force = 0, dfd, r = options(argc, argv, &p, &in, &force);

	if (r >= 0)
		return r;
	io_signals();
	p.dir = argv[optind];
	if ((dfd = dir_open(p.dir, 0, force)) < 0 || pub_open(&p, dfd) < 0)
		return FM_FAIL;
	b.buf = malloc(p.pbuf);
	b.ends = malloc(p.pbuf / FRAME_HDR * sizeof *b.ends);
	if (!b.buf || !b.ends) {
		warn_("malloc");
		r = FM_FAIL;
	} else {
		r = publish(&p, &in, &b, argv + optind + 1,
			    argc - optind - 1);
	}
	pub_close(&p);
	free(b.buf);
	free(b.ends);
	free(in.buf);
	io_die_by_signal();
	return r;
}
