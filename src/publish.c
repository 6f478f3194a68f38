/* fifomsg publish: each message, whole, to every subscriber of a
 * directory (deliver.c).  The input is send's (sendin.c: lines, -0, -r,
 * -w, --json, --hex, or the MESSAGE operands), handed to publish's sink
 * (deliver.h), which packs messages into batches of at most PIPE_BUF
 * bytes as send packs them; a batch goes out whenever the input would
 * block, so a line typed is published at once while a burst costs one
 * write per subscriber per batch. */
#define _GNU_SOURCE	/* getopt_long */
#include <getopt.h>
#include <unistd.h>

#include "deliver.h"
#include "fanout.h"
#include "fifomsg.h"
#include "io.h"
#include "sendin.h"

static const char usage[] =
	"fifomsg publish [-0 | -r | -w | --json | --hex] [-v] [-t SECS] "
	"[--drop] [--wait] [--max-size N] [--force] DIR [MESSAGE...]";
static const char help[] =
	"\n\n"
	"Publish each MESSAGE, or else each line of standard input, to every\n"
	"subscriber in DIR (fifomsg subscribe DIR): each gets every message\n"
	"whole.  A message with no subscriber is dropped.\n"
	"\n"
	SENDIN_HELP
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

struct pubopt {
	int mode;		/* as send's: 0 lines, '0', 'r', 'w', 'j', 'x' */
	int force;
	uint64_t max;		/* --max-size */
};

static int options(int argc, char **argv, struct pub *p, struct pubopt *o)
{
	static const struct option longs[] = {
		SENDIN_LONGS,
		{ "drop", no_argument, NULL, 'D' },
		{ "wait", no_argument, NULL, 'W' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "force", no_argument, NULL, 'f' },
		LONGS_END
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:" SENDIN_OPTS "t:vhV", longs,
				NULL)) != -1) {
		r = 0;
		switch (c) {
		case '0': case 'r': case 'w': case 'j': case 'x':
			r = sendin_mode(usage, &o->mode, c);
			break;
		case 'D': p->drop = 1; break;
		case 'W': p->wait = 1; break;
		case 't': r = opt_secs(usage, optarg, &p->timeout); break;
		case 'M': r = opt_size(usage, optarg, &o->max); break;
		case 'f': o->force = 1; break;
		case 'v': p->verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
		if (r)
			return r;
	}
	if (optind >= argc)
		return usage_err(usage, "no DIR given");
	return sendin_check(usage, o->mode, argc - optind - 1);
}

/* Messages read whole go out, unless a signal or a subscriber stopped
 * us; then the exit status, the input's first. */
static int finish(struct sink *s, const struct sendin *in, int r)
{
	if (r == 0 || in->status)
		r = s->flush(s->ctx);
	if (in->status)
		return in->status;
	return r == IO_TIMEOUT ? FM_TIMEOUT : r ? FM_FAIL : FM_OK;
}

int publish_main(int argc, char **argv)
{
	struct pub p = { .timeout = -1 };
	struct pubopt o = { .max = DEFAULT_MAX_SIZE };
	struct pubsink ps;
	struct sink s;
	struct sendin in;
	int dfd, r = options(argc, argv, &p, &o);

	if (r >= 0)
		return r;
	io_signals();
	p.dir = argv[optind];
	if ((dfd = dir_open(p.dir, 0, o.force)) < 0 || pub_open(&p, dfd) < 0)
		return FM_FAIL;
	if (pub_sink(&ps, &p, &s) < 0) {
		r = FM_FAIL;
	} else {
		in = (struct sendin){ .out = &s, .max = o.max };
		r = send_input(&in, o.mode, argv + optind + 1,
			       argc - optind - 1);
		r = finish(&s, &in, r);
	}
	pub_close(&p);
	pub_sink_free(&ps);
	io_die_by_signal();
	return r;
}
