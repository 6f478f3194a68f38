/* What recv and listen share: their options and the receive loop. */
#ifndef RECEIVE_H
#define RECEIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "template.h"

struct rxopt {
	const char *path;	/* the first pipe */
	char *const *paths;	/* all of them, as given; NULL: path alone */
	int npipes;
	int format;		/* '\n' lines, '0' NUL, 'r' raw frames,
				   'j' JSON strings, 'x' --exec,
				   'f' --format */
	struct tpl tpl;		/* --format, compiled */
	const char *exec;	/* --exec CMD */
	int stop_on_error;
	uint64_t count;		/* messages to receive; UINT64_MAX: no end */
	int64_t timeout;	/* ms without data before giving up; -1 */
	uint64_t max;		/* --max-size */
	mode_t mode;		/* -m, for -c */
	int mode_set, create, eof, follow, verbose;
	int listen;		/* a timeout ends listen normally */
	int fd;			/* >= 0: path is a FIFO the caller made and
				   opened; read fd, remove path at exit */
};

/* Help text for the options recv and listen share. */
#define RX_HELP_FORMATS \
	"  -0, --null        end each message with NUL instead of newline\n" \
	"  -r, --raw         print the frames themselves, headers included\n" \
	"      --json        print each message as a JSON string on a line\n" \
	"      --format FMT  print each message as FMT says: %s payload,\n" \
	"                    %j as JSON, %x in hex, %n length, %p pipe,\n" \
	"                    %i number, %t %T arrival time, %% a percent\n" \
	"                    sign; escapes \\n \\t \\0 \\\\ \\xHH\n"
#define RX_HELP_COMMON \
	"  -c, --create      create PIPE if missing; remove it at exit\n" \
	"  -m, --mode MODE   with -c: octal mode of the new FIFO (600)\n" \
	"      --exec CMD    run CMD with /bin/sh once per message, the\n" \
	"                    message on its stdin, FIFOMSG_PIPE,\n" \
	"                    FIFOMSG_SEQ and FIFOMSG_LEN in its environment\n" \
	"      --stop-on-error  with --exec: exit 1 when CMD fails\n" \
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n" \
	"      --follow      open PIPE even if it is a symbolic link\n" \
	"  -v, --verbose     print a summary on standard error at exit\n" \
	"  -h, --help        this help\n" \
	"  -V, --version     print the version\n"

/* Parse argv into o: returns an exit code to stop with, or -1 to go on. */
int rx_options(int argc, char **argv, struct rxopt *o, const char *usage,
	       const char *help, int listen);
/* Receive as o says; returns the exit code. */
int receive(const struct rxopt *o);
/* Free what rx_options allocated. */
void rx_free(struct rxopt *o);

#endif
