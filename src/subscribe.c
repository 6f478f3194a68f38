/* fifomsg subscribe: a FIFO of our own in a publish directory, printed
 * like listen prints a pipe, removed again on every way out.
 *
 * The FIFO is made under a hidden name, opened read-write, and only then
 * linked to its final name: a publisher never finds it without a reader
 * (it would take it for a dead subscriber's and remove it).  From there
 * on, receive() reads it and removes it at exit, signals included. */
#define _GNU_SOURCE	/* getopt_long */
#include <getopt.h>
#include <unistd.h>

#include "fanout.h"
#include "fifomsg.h"
#include "io.h"
#include "receive.h"

static const char usage[] =
	"fifomsg subscribe [-0 | -r | --json] [-cv] [-n COUNT] [-t SECS] "
	"[-m MODE] [--exec CMD [--stop-on-error]] [--max-size N] [--force] "
	"DIR";
static const char help[] =
	"\n\n"
	"Create a FIFO of our own in the publish directory DIR and print each\n"
	"message that fifomsg publish sends to it, as listen does, until\n"
	"stopped by a signal, -n or -t.  The FIFO is removed at exit.\n"
	"\n"
	OUT_HELP
	"  -n, --count COUNT exit after COUNT messages\n"
	"  -t, --timeout SECS  exit after SECS seconds without data\n"
	"  -c, --create      create DIR (mode 700) if it does not exist\n"
	"  -m, --mode MODE   octal mode of our FIFO (600)\n"
	"      --force       use DIR even if others own or may write to it\n"
	"  -v, --verbose     name the FIFO at start, a summary at exit\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

static int options(int argc, char **argv, struct rxopt *o, int *create,
		   int *force)
{
	static const struct option longs[] = {
		OUT_LONGS,
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "create", no_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		LONGS_END
	};
	int c, r;

	out_defaults(o, 1);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:0rn:t:cm:vhV", longs,
				NULL)) != -1) {
		if ((r = out_option(c, optarg, o, usage)) >= 0) {
			if (r)
				return r;
			continue;
		}
		r = 0;
		switch (c) {
		case 'n': r = opt_count(usage, optarg, &o->count); break;
		case 't': r = opt_secs(usage, optarg, &o->timeout); break;
		case 'c': *create = 1; break;
		case 'm': r = opt_mode(usage, optarg, &o->mode); break;
		case 'f': *force = 1; break;
		case 'v': o->verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
		if (r)
			return r;
	}
	if (optind >= argc)
		return usage_err(usage, "no DIR given");
	if (optind + 1 < argc)
		return usage_err(usage, "too many operands (one DIR only)");
	return out_check(o, usage);
}

int subscribe_main(int argc, char **argv)
{
	static char path[PATH_MAX];
	struct rxopt o;
	int create = 0, force = 0, dfd;
	int r = options(argc, argv, &o, &create, &force);

	if (r >= 0)
		return r;
	/* Before the FIFO exists: from then on a stop signal is only noted,
	 * and receive() acts on it after removing the FIFO. */
	io_signals();
	dfd = dir_open(argv[optind], create, force);
	if (dfd < 0)
		return FM_FAIL;
	close(dfd);
	o.fd = priv_fifo(argv[optind], SUB_PREFIX, o.mode, path);
	if (o.fd < 0)
		return FM_FAIL;
	o.path = path;
	if (o.verbose)
		warnx_("subscribed as %s", path);
	return receive(&o);
}
