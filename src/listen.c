/* fifomsg listen: print every message as it arrives, across any number of
 * writers coming and going, until stopped.  It reads ahead for speed and
 * holds the reader lock while it runs; idle, it sleeps in poll(). */
#include "fifomsg.h"
#include "receive.h"

static const char usage[] =
	"fifomsg listen [-0 | -r | --json] [-ev] [-n COUNT] [-t SECS] [-c [-m MODE]] "
	"[--exec CMD [--stop-on-error]] [--max-size N] [--follow] PIPE";
static const char help[] =
	"\n\n"
	"Print each message arriving on PIPE, followed by a newline, until\n"
	"stopped by a signal, -n, -t or -e.\n"
	"\n"
	"  -0, --null        end each message with NUL instead of newline\n"
	"  -r, --raw         print the frames themselves, headers included\n"
	"      --json        print each message as a JSON string on a line\n"
	"  -n, --count COUNT exit after COUNT messages\n"
	"  -t, --timeout SECS  exit after SECS seconds without data\n"
	"  -e, --eof         exit when the last writer has left and the pipe\n"
	"                    is empty\n"
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

int listen_main(int argc, char **argv)
{
	struct rxopt o;
	int r = rx_options(argc, argv, &o, usage, help, 1);

	return r >= 0 ? r : receive(&o);
}
