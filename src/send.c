/* fifomsg send: stdin lines (or NUL records, or all of stdin, or a frame
 * stream), or the arguments, as framed messages into a FIFO.
 *
 * This file is the options and the order of things; the input side
 * (sendin.c) turns the input into messages, the output side (writer.c)
 * frames them into the pipe.  What is staged goes out whenever input
 * would block, so an interactive line is sent at once while a burst still
 * travels in full batches.  Before it exits, send waits until readers
 * have taken everything: bytes still in the FIFO when its last
 * descriptor closes are destroyed. */
#include "compat.h"
#include <getopt.h>
#include <unistd.h>

#include "fifomsg.h"
#include "io.h"
#include "sendin.h"
#include "writer.h"

static const char usage[] =
	"fifomsg send [-0 | -r | -w] [-v] [-t SECS] [--max-size N] "
	"[--no-wait] [--follow] PIPE [MESSAGE...]";
static const char help[] =
	"\n\n"
	"Send each MESSAGE, or else each line of standard input, as one\n"
	"message; wait until readers have taken them all.\n"
	"\n"
	"  -0, --null        input records end in NUL, not newline\n"
	"  -r, --raw         input is a stream of frames (listen -r output)\n"
	"  -w, --whole       all of standard input is one message\n"
	"  -t, --timeout SECS  give up (exit 3) when no reader takes\n"
	"                    anything for SECS seconds (decimals allowed)\n"
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n"
	"      --no-wait     exit once written; do not wait for readers\n"
	"      --follow      open PIPE even if it is a symbolic link\n"
	"  -v, --verbose     print a summary on standard error at exit\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

struct sendopt {
	int mode;		/* 0 lines, '0' NUL records, 'r' raw, 'w' whole */
	int nowait, follow, verbose;
	int64_t timeout;	/* ms, -1: none */
	uint64_t max;		/* --max-size */
	const char *path;
	char **msgs;		/* MESSAGE arguments */
	int nmsgs;
};

static const struct option longs[] = {
	{ "null", no_argument, NULL, '0' },
	{ "raw", no_argument, NULL, 'r' },
	{ "whole", no_argument, NULL, 'w' },
	{ "timeout", required_argument, NULL, 't' },
	{ "max-size", required_argument, NULL, 'M' },
	{ "no-wait", no_argument, NULL, 'N' },
	{ "follow", no_argument, NULL, 'F' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Returns an exit code to stop with, or -1 to go on. */
static int parse_options(int argc, char **argv, struct sendopt *o)
{
	int c, r;

	*o = (struct sendopt){ .timeout = -1, .max = DEFAULT_MAX_SIZE };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:0rwt:vhV", longs, NULL)) != -1) {
		r = 0;
		switch (c) {
		case '0': case 'r': case 'w':
			if (o->mode && o->mode != c)
				return usage_err(usage, "-%c and -%c cannot "
						 "be combined", o->mode, c);
			o->mode = c;
			break;
		case 't': r = opt_secs(usage, optarg, &o->timeout); break;
		case 'M': r = opt_size(usage, optarg, &o->max); break;
		case 'N': o->nowait = 1; break;
		case 'F': o->follow = 1; break;
		case 'v': o->verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
		if (r)
			return r;
	}
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	o->path = argv[optind];
	o->msgs = argv + optind + 1;
	o->nmsgs = argc - optind - 1;
	if (o->mode && o->nmsgs)
		return usage_err(usage, "-%c reads standard input: give no "
				 "MESSAGE", o->mode);
	return -1;
}

static int read_input(struct sendin *in, const struct sendopt *o)
{
	if (o->nmsgs)
		return send_args(in, o->msgs, o->nmsgs);
	switch (o->mode) {
	case 'w': return send_whole(in);
	case 'r': return send_raw(in);
	case '0': return send_records(in, '\0');
	default: return send_records(in, '\n');
	}
}

/* Whatever the input did, the complete messages already read go out and
 * are waited for; then the counts, and the exit status. */
static int finish(struct writer *w, const struct sendin *in,
		  const struct sendopt *o, int r, int64_t t0)
{
	uint64_t taken, bytes;

	if (r == 0 || in->status)
		r = writer_flush(w);
	if (r == 0 && !o->nowait)
		r = writer_drain(w);
	taken = writer_taken(w, &bytes);
	if (o->verbose)
		print_summary(taken, &bytes, io_now() - t0);
	if (r == IO_TIMEOUT)
		warnx_("timed out: sent %llu of %llu messages",
		       (unsigned long long)taken,
		       (unsigned long long)in->messages);
	io_die_by_signal();
	if (in->status)
		return in->status;
	return r == IO_TIMEOUT ? FM_TIMEOUT : r ? FM_FAIL : FM_OK;
}

int send_main(int argc, char **argv)
{
	struct sendopt o;
	struct writer w;
	struct sendin in;
	int64_t t0 = io_now();
	int fd, r = parse_options(argc, argv, &o);

	if (r >= 0)
		return r;
	io_signals();
	fd = io_open_pipe(o.path, 1, o.follow);
	if (fd < 0)
		return FM_FAIL;
	if (writer_init(&w, fd, o.timeout)) {
		close(fd);
		return FM_FAIL;
	}
	in = (struct sendin){ .out = &w, .max = o.max };
	r = finish(&w, &in, &o, read_input(&in, &o), t0);
	writer_free(&w);
	close(fd);
	return r;
}
