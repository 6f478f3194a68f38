/* What recv and listen share: their options and the receive loop. */
#ifndef RECEIVE_H
#define RECEIVE_H

#include <stdint.h>
#include <sys/types.h>

struct rxopt {
	const char *path;
	int format;		/* '\n' lines, '0' NUL, 'r' raw frames,
				   'j' JSON strings, 'x' --exec */
	const char *exec;	/* --exec CMD */
	int stop_on_error;
	uint64_t count;		/* messages to receive; UINT64_MAX: no end */
	int64_t timeout;	/* ms without data before giving up; -1 */
	uint64_t max;		/* --max-size */
	mode_t mode;		/* -m, for -c */
	int mode_set, create, eof, follow, verbose;
	int listen;		/* a timeout ends listen normally */
};

/* Parse argv into o: returns an exit code to stop with, or -1 to go on. */
int rx_options(int argc, char **argv, struct rxopt *o, const char *usage,
	       const char *help, int listen);
/* Receive as o says; returns the exit code. */
int receive(const struct rxopt *o);

#endif
