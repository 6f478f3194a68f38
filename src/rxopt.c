/* The options recv and listen share: parsing, checking, and what they
 * leave in struct rxopt for the read loop (receive.c). */
#include "compat.h"
#include <getopt.h>
#include <stdint.h>
#include <string.h>

#include "fifomsg.h"
#include "receive.h"
#include "template.h"

/* --eof comes first: recv has no -e, so it reads this table from its
 * second entry, and a prefix such as --e is not "ambiguous" there. */
static const struct option longs[] = {
	{ "eof", no_argument, NULL, 'e' },
	{ "null", no_argument, NULL, '0' },
	{ "raw", no_argument, NULL, 'r' },
	{ "count", required_argument, NULL, 'n' },
	{ "timeout", required_argument, NULL, 't' },
	{ "create", no_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "max-size", required_argument, NULL, 'M' },
	{ "follow", no_argument, NULL, 'F' },
	{ "json", no_argument, NULL, 'j' },
	{ "format", required_argument, NULL, 'f' },
	{ "exec", required_argument, NULL, 'x' },
	{ "stop-on-error", no_argument, NULL, 'S' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* The options that take a value: -1 to go on, or an exit status. */
static int value_option(int c, struct rxopt *o, const char *usage)
{
	int r;

	switch (c) {
	case 'n':
		r = opt_count(usage, optarg, &o->count);
		break;
	case 't':
		r = opt_secs(usage, optarg, &o->timeout);
		break;
	case 'm':
		r = opt_mode(usage, optarg, &o->mode);
		o->mode_set = 1;
		break;
	default:	/* 'M' */
		r = opt_size(usage, optarg, &o->max);
		break;
	}
	return r ? r : -1;
}

/* --format FMT: compiled now, so a bad one is refused before anything is
 * opened.  The last one given counts. */
static int template(struct rxopt *o, const char *usage)
{
	char err[128];

	tpl_free(&o->tpl);
	if (tpl_compile(optarg, &o->tpl, err, sizeof err))
		return usage_err(usage, "bad --format: %s", err);
	return -1;
}

/* PIPE "-" is standard input: nothing to create; its end of file ends the
 * reading, as -e does, so it is the only pipe. */
static int from_stdin(struct rxopt *o, const char *usage)
{
	for (int i = 0; i < o->npipes; i++)
		if (strcmp(o->paths[i], "-") == 0)
			break;
		else if (i == o->npipes - 1)
			return -1;
	if (o->npipes > 1)
		return usage_err(usage, "PIPE - (standard input) cannot be "
				 "combined with other pipes");
	if (o->create)
		return usage_err(usage, "-c cannot be used with PIPE - "
				 "(standard input)");
	o->eof = 1;
	return -1;
}

/* One option: -1 to go on, or an exit status. */
static int one_option(int c, struct rxopt *o, const char *usage,
		      const char *help, char **argv,
		      const struct option *table)
{
	switch (c) {
	case '0': case 'r': case 'j': case 'x': case 'f':
		if (o->format != '\n' && o->format != c)
			return usage_err(usage, "-0, -r, --json, --format and "
					 "--exec cannot be combined");
		o->format = c;
		if (c == 'x')
			o->exec = optarg;
		return c == 'f' ? template(o, usage) : -1;
	case 'n': case 't': case 'm': case 'M':
		return value_option(c, o, usage);
	case 'e':
		o->eof = 1;
		return -1;
	case 'S': o->stop_on_error = 1; return -1;
	case 'c': o->create = 1; return -1;
	case 'F': o->follow = 1; return -1;
	case 'v': o->verbose = 1; return -1;
	default:
		return common_opt(c, usage, help, argv, table);
	}
}

int rx_options(int argc, char **argv, struct rxopt *o, const char *usage,
	       const char *help, int listen)
{
	const struct option *table = listen ? longs : longs + 1;
	int c, r;

	memset(o, 0, sizeof *o);
	o->format = '\n';
	o->count = listen ? UINT64_MAX : 1;
	o->timeout = -1;
	o->mode = 0600;
	o->max = DEFAULT_MAX_SIZE;
	o->listen = listen;
	o->fd = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, listen ? "+:0rn:t:cm:evhV"
					       : "+:0rn:t:cm:vhV",
				table, NULL)) != -1)
		if ((r = one_option(c, o, usage, help, argv, table)) >= 0)
			return r;
	if (o->mode_set && !o->create)
		return usage_err(usage, "-m goes with -c");
	if (o->stop_on_error && !o->exec)
		return usage_err(usage, "--stop-on-error goes with --exec");
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	/* The same FIFO under two names is found once they are open. */
	for (c = optind + 1; c < argc; c++)
		for (r = optind; r < c; r++)
			if (strcmp(argv[r], argv[c]) == 0)
				return usage_err(usage, "%s is given twice",
						 argv[c]);
	o->paths = argv + optind;
	o->npipes = argc - optind;
	o->path = argv[optind];
	return from_stdin(o, usage);
}

void rx_free(struct rxopt *o)
{
	tpl_free(&o->tpl);
}
