/* What publish, subscribe, request and serve share: the check of a
 * publish directory, private FIFOs with unique names, and the output
 * options that subscribe and request take over from listen. */
#ifndef FANOUT_H
#define FANOUT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "receive.h"

/* Names in a publish directory: a subscriber's FIFO is SUB_PREFIX
 * followed by a unique part; names that begin with '.' are not
 * subscribers (a FIFO being set up has one). */
#define SUB_PREFIX "sub."

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Open DIR (creating it with mode 0700 if create is set) and refuse it,
 * unless force, when it belongs to someone other than us or root, or
 * its group or others may write to it: they could plant files there or
 * remove ours.  Prints its own error; returns the descriptor or -1. */
int dir_open(const char *dir, int create, int force);

/* Make a FIFO named DIR/PREFIX.PID.RANDOM with exactly mode, open it
 * read-write (a reader from the first moment on) and non-blocking, and
 * only then give it its final name: the FIFO is never seen under that
 * name without a reader.  path (PATH_MAX bytes) gets the name.  Prints
 * its own error; returns the descriptor or -1. */
int priv_fifo(const char *dir, const char *prefix, mode_t mode, char *path);

/* The output options of listen, for subscribe and request: defaults,
 * one option (returns -1 if c is not one of them, else 0 or FM_USAGE),
 * and the checks once all are parsed (-1 to go on, or FM_USAGE). */
void out_defaults(struct rxopt *o, int listen);
int out_option(int c, const char *arg, struct rxopt *o, const char *usage);
int out_check(const struct rxopt *o, const char *usage);

/* Their long names for getopt_long (short ones: "0r"). */
#define OUT_LONGS \
	{ "null", no_argument, NULL, '0' }, \
	{ "raw", no_argument, NULL, 'r' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "exec", required_argument, NULL, 'x' }, \
	{ "stop-on-error", no_argument, NULL, 'S' }, \
	{ "max-size", required_argument, NULL, 'M' }

#define OUT_HELP \
	"  -0, --null        end each message with NUL instead of newline\n" \
	"  -r, --raw         print the frames themselves, headers included\n" \
	"      --json        print each message as a JSON string on a line\n" \
	"      --exec CMD    run CMD with /bin/sh once per message, the\n" \
	"                    message on its stdin\n" \
	"      --stop-on-error  with --exec: exit 1 when CMD fails\n" \
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n"

#endif
