/* fifomsg listen: print every message as it arrives, across any number of
 * writers coming and going, until stopped.  It reads ahead for speed and
 * holds the reader lock while it runs; idle, it sleeps in poll(). */
#include "compat.h"
#include "fifomsg.h"
#include "receive.h"

static const char usage[] =
	"fifomsg listen [-0 | -r | --json | --format FMT] [-ev] [-n COUNT] [-t SECS] [-c [-m MODE]] "
	"[--exec CMD [--stop-on-error]] [--max-size N] [--follow] PIPE...";
static const char help[] =
	"\n\n"
	"Print each message arriving on any PIPE, followed by a newline,\n"
	"until stopped by a signal, -n, -t or -e.\n"
	"\n"
	RX_HELP_FORMATS
	"  -n, --count COUNT exit after COUNT messages\n"
	"  -t, --timeout SECS  exit after SECS seconds without data\n"
	"  -e, --eof         exit when the last writer has left and the pipe\n"
	"                    is empty\n"
	RX_HELP_COMMON;

int listen_main(int argc, char **argv)
{
	struct rxopt o;
	int r = rx_options(argc, argv, &o, usage, help, 1);

	if (r < 0)
		r = receive(&o);
	rx_free(&o);
	return r;
}
