/* fifomsg send: stdin lines (or NUL records, or all of stdin, or a frame
 * stream, or lines of JSON strings or hex), or the arguments, as framed
 * messages into a FIFO, or onto standard output for PIPE "-".
 *
 * This file is the options and the order of things; the input side
 * (sendin.c) turns the input into messages, the output side (writer.c)
 * frames them into the pipe.  What is staged goes out whenever input
 * would block, so an interactive line is sent at once while a burst still
 * travels in full batches.  Before it exits, send waits until readers
 * have taken everything: bytes still in the FIFO when its last
 * descriptor closes are destroyed. */
#include "compat.h"
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifomsg.h"
#include "io.h"
#include "sendin.h"
#include "writer.h"

static const char usage[] =
	"fifomsg send [-0 | -r | -w | --json | --hex] [-v] [-t SECS] "
	"[--max-size N] [--no-wait] [--follow] PIPE [MESSAGE...]";
static const char help[] =
	"\n\n"
	"Send each MESSAGE, or else each line of standard input, as one\n"
	"message; wait until readers have taken them all.  PIPE - is\n"
	"standard output (./- is a file named -).\n"
	"\n"
	SENDIN_HELP
	"  -t, --timeout SECS  give up (exit 3) when no reader takes\n"
	"                    anything for SECS seconds (decimals allowed)\n"
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n"
	"      --no-wait     exit once written; do not wait for readers\n"
	"      --follow      open PIPE even if it is a symbolic link\n"
	"  -v, --verbose     print a summary on standard error at exit\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

struct sendopt {
	int mode;		/* 0 lines, '0' NUL records, 'r' raw, 'w' whole,
				 * 'j' --json lines, 'x' --hex lines */
	int nowait, follow, verbose;
	int64_t timeout;	/* ms, -1: none */
	uint64_t max;		/* --max-size */
	const char *path;
	char **msgs;		/* MESSAGE arguments */
	int nmsgs;
};

static const struct option longs[] = {
	SENDIN_LONGS,
	{ "timeout", required_argument, NULL, 't' },
	{ "max-size", required_argument, NULL, 'M' },
	{ "no-wait", no_argument, NULL, 'N' },
	{ "follow", no_argument, NULL, 'F' },
	LONGS_END
};

/* Returns an exit code to stop with, or -1 to go on. */
static int parse_options(int argc, char **argv, struct sendopt *o)
{
	int c, r;

	*o = (struct sendopt){ .timeout = -1, .max = DEFAULT_MAX_SIZE };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:" SENDIN_OPTS "t:vhV", longs, NULL)) != -1) {
		r = 0;
		switch (c) {
		case '0': case 'r': case 'w': case 'j': case 'x':
			r = sendin_mode(usage, &o->mode, c);
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
	return sendin_check(usage, o->mode, o->nmsgs);
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
	if (r == IO_GONE)
		return 141;	/* standard output's reader left, as SIGPIPE */
	return r == IO_TIMEOUT ? FM_TIMEOUT : r ? FM_FAIL : FM_OK;
}

/* PIPE "-": standard output, whatever it is; *is_pipe: a pipe or a
 * FIFO.  On Linux a pipe is reopened through /proc: a descriptor of our
 * own, non-blocking so that -t bounds the writes too, while the one
 * shared with the shell and other processes stays as it was.  Where that
 * fails, standard output is used as it is (blocking writes, which -t
 * cannot cut short). */
static int open_stdout(int *is_pipe)
{
	struct stat a, b;
	int fd;

	if (fstat(STDOUT_FILENO, &a) < 0) {
		warn_("standard output");
		return -1;
	}
	*is_pipe = S_ISFIFO(a.st_mode);
	if (!*is_pipe)
		return STDOUT_FILENO;
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &b) == 0 && b.st_dev == a.st_dev &&
	    b.st_ino == a.st_ino)
		return fd;
	if (fd >= 0)
		close(fd);
	return STDOUT_FILENO;
}

/* The writer for standard output: no locks (a pipe made for us is ours
 * alone, and a write-only descriptor cannot take the shared lock), and
 * only a pipe has a queue to count and drain: a file or a terminal has
 * taken whatever was written. */
static void to_stdout(struct writer *w, int is_pipe)
{
	w->nolock = 1;
	w->noqueue = !is_pipe;
	if (is_pipe)
		io_watch(w->fd);	/* its reader leaving ends every wait */
}

int send_main(int argc, char **argv)
{
	struct sendopt o;
	struct writer w;
	struct sink sink;
	struct sendin in;
	int64_t t0 = io_now();
	int fd, out, is_pipe = 0, r = parse_options(argc, argv, &o);

	if (r >= 0)
		return r;
	/* Only "-" itself: "./-" names a file called "-". */
	out = strcmp(o.path, "-") == 0;
	io_signals();
	fd = out ? open_stdout(&is_pipe) : io_open_pipe(o.path, 1, o.follow);
	if (fd < 0)
		return FM_FAIL;
	if (writer_init(&w, fd, o.timeout)) {
		r = FM_FAIL;
		goto done;
	}
	if (out)
		to_stdout(&w, is_pipe);
	writer_sink(&w, &sink);
	in = (struct sendin){ .out = &sink, .max = o.max };
	r = finish(&w, &in, &o, send_input(&in, o.mode, o.msgs, o.nmsgs), t0);
	writer_free(&w);
done:
	if (fd != STDOUT_FILENO)
		close(fd);
	return r;
}
