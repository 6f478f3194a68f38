/* fifomsg mkpipe: create FIFOs, private by default.  mkfifo(1) gives
 * 0666 & ~umask, readable by anyone; a message channel should not be. */
#include "compat.h"
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <sys/stat.h>

#include "fifomsg.h"
#include "io.h"

static const char usage[] = "fifomsg mkpipe [-p] [-m MODE] PIPE...";
static const char help[] =
	"\n\n"
	"Create each PIPE as a FIFO with mode 0600, whatever the umask.\n"
	"\n"
	"  -m, --mode MODE   octal mode instead of 600\n"
	"  -p                no error if PIPE already exists as a FIFO\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

int mkpipe_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	mode_t mode = 0600;
	int c, exist_ok = 0, r = FM_OK, e;
	struct stat st;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:m:phV", longs, NULL)) != -1) {
		switch (c) {
		case 'm':
			if ((e = opt_mode(usage, optarg, &mode)))
				return e;
			break;
		case 'p': exist_ok = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
	}
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	for (; optind < argc; optind++) {
		const char *path = argv[optind];
		e = io_mkfifo(path, mode) == 0 ? 0 : errno;
		if (e == EEXIST && lstat(path, &st) == 0) {
			if (S_ISFIFO(st.st_mode) && exist_ok)
				continue;
			warnx_("%s: already exists%s", path,
			       S_ISFIFO(st.st_mode) ? "" :
			       " and is not a FIFO");
			r = FM_FAIL;
		} else if (e) {
			errno = e;
			warn_("cannot create %s", path);
			r = FM_FAIL;
		}
	}
	return r;
}
