/* fifomsg recv: take COUNT messages (default 1) from a FIFO, print them,
 * exit.  Reads exactly the bytes of those messages and not one more, so
 * shell loops of recv (and several recv workers) share one queue. */
#include "fifomsg.h"
#include "receive.h"

static const char usage[] =
	"fifomsg recv [-0 | -r | --json] [-v] [-n COUNT] [-t SECS] [-c [-m MODE]] "
	"[--exec CMD [--stop-on-error]] [--max-size N] [--follow] PIPE";
static const char help[] =
	"\n\n"
	"Receive COUNT messages (default 1) from PIPE, print each followed\n"
	"by a newline, and exit.  Fails (exit 3) if they do not come in time.\n"
	"\n"
	"  -0, --null        end each message with NUL instead of newline\n"
	"  -r, --raw         print the frames themselves, headers included\n"
	"      --json        print each message as a JSON string on a line\n"
	"  -n, --count COUNT receive COUNT messages\n"
	"  -t, --timeout SECS  give up when no data comes for SECS seconds\n"
	"  -c, --create      create PIPE if missing; remove it at exit\n"
	"  -m, --mode MODE   with -c: octal mode of the new FIFO (600)\n"
	"      --exec CMD    run CMD with /bin/sh once per message, the\n"
	"                    message on its stdin, FIFOMSG_PIPE and\n"
	"                    FIFOMSG_SEQ in its environment\n"
	"      --stop-on-error  with --exec: exit 1 when CMD fails\n"
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n"
	"      --follow      open PIPE even if it is a symbolic link\n"
	"  -v, --verbose     print a summary on standard error at exit\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

int recv_main(int argc, char **argv)
{
	struct rxopt o;
	int r = rx_options(argc, argv, &o, usage, help, 0);

	return r >= 0 ? r : receive(&o);
}
