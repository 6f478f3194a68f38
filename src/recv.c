/* fifomsg recv: take COUNT messages (default 1) from a FIFO, print them,
 * exit.  Reads exactly the bytes of those messages and not one more, so
 * shell loops of recv (and several recv workers) share one queue. */
#include "compat.h"
#include "fifomsg.h"
#include "receive.h"

static const char usage[] =
	"fifomsg recv [-0 | -r | --json | --format FMT] [-v] [-n COUNT] [-t SECS] [-c [-m MODE]] "
	"[--exec CMD [--stop-on-error]] [--max-size N] [--follow] PIPE...";
static const char help[] =
	"\n\n"
	"Receive COUNT messages (default 1) from any PIPE, print each\n"
	"followed by a newline, and exit.  Fails (exit 3) if they do not come\n"
	"in time.\n"
	"\n"
	RX_HELP_FORMATS
	"  -n, --count COUNT receive COUNT messages\n"
	"  -t, --timeout SECS  give up when no data comes for SECS seconds\n"
	RX_HELP_COMMON;

int recv_main(int argc, char **argv)
{
	struct rxopt o;
	int r = rx_options(argc, argv, &o, usage, help, 0);

	if (r < 0)
		r = receive(&o);
	rx_free(&o);
	return r;
}
